// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Type-aware lint for the whole repository. Formatting is Prettier's job alone (eslint-config-prettier, last, turns
 * off every stylistic rule), so a lint failure is always about behaviour or types, never about layout.
 */
export default defineConfig(
  { ignores: ['node_modules/', 'dist/', 'test-artifacts/', 'coverage/', '.data/', '.scratch/', '.containers/'] },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // The rules the house style names: a promise is awaited, returned, or explicitly `void`ed.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // `_name` marks a parameter an interface imposes; an unused `catch (error)` binding is harmless and common.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Off: ports return promises, and an `async` implementation with nothing to await is how a synchronous adapter
      // (memory stores, doubles) keeps the contract that it rejects rather than throws. The rule would ask for churn
      // (Promise.resolve wrappers) that makes that guarantee weaker, not stronger.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // Tests read parsed JSON bodies, EMF documents and SDK wire payloads as `any` on purpose: the assertions that
      // follow are the type check. Production code keeps all five rules.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // `expect(client.send).toHaveBeenCalled...` and handing a bound-by-design method to a helper are how vitest spies
      // are read; the rule cannot tell them from a real unbound call.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // The web client runs in the browser (its own tsconfig: DOM lib, JSX).
    files: ['entrypoints/web/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['entrypoints/web/test/**/*.{ts,tsx}'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  {
    // Plain JavaScript (bin shims, container scripts, config files) has no types to check against.
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  prettier,
);
