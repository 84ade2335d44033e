import { describe, expect, it } from 'vitest';
import { ErrorCodes, UnauthenticatedError } from '../../core/errors.js';
import type { TokenVerifier } from '../../core/ports/token-verifier.js';

/** Claims to sign; a claim set to `undefined` is left out of the token. */
export type Claims = Record<string, unknown>;

export interface TokenVerifierHarness {
  verifier: TokenVerifier;
  /**
   * Signs with the verifier's own key: the valid defaults (iss, aud, iat, exp one hour ahead, sub) overridden by `claims`.
   * With `otherAlgorithm`, signs with the same key material but an algorithm the verifier must refuse (e.g. HS512 for HS256).
   */
  mint: (claims: Claims, options?: { otherAlgorithm?: boolean }) => Promise<string>;
  /** Signs the same valid defaults overridden by `claims` with a key the verifier does not trust. */
  mintForeign: (claims: Claims) => Promise<string>;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
const partsOf = (token: string): [string, string, string] => {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return [header, payload, signature];
};
const decodePart = (part: string) =>
  JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

const aborted = () => AbortSignal.abort(new Error('caller gave up'));

/** The behaviour every TokenVerifier must show: accept exactly the tokens its issuer signed for it, reject every forgery. */
export function describeTokenVerifierContract(name: string, make: () => Promise<TokenVerifierHarness>): void {
  describe(`TokenVerifier contract: ${name}`, () => {
    const rejects = async (verifier: TokenVerifier, token: string) => {
      const error = await verifier.verify({ token }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UnauthenticatedError);
      expect((error as UnauthenticatedError).code).toBe(ErrorCodes.UNAUTHENTICATED);
      return error as UnauthenticatedError;
    };

    it('resolves the subject and the space-separated scopes of a valid token', async () => {
      const { verifier, mint } = await make();
      const identity = await verifier.verify({ token: await mint({ sub: 'user-1', scope: 'read write  admin' }) });
      expect(identity).toEqual({ userId: 'user-1', scopes: ['read', 'write', 'admin'] });
    });

    it('gives no scopes when the token carries none', async () => {
      const { verifier, mint } = await make();
      await expect(verifier.verify({ token: await mint({ sub: 'user-2' }) })).resolves.toEqual({
        userId: 'user-2',
        scopes: [],
      });
    });

    it('rejects an unsigned alg:none token built from valid claims', async () => {
      const { verifier, mint } = await make();
      const [, payload, signature] = partsOf(await mint({ sub: 'user-1' }));
      const header = b64url({ alg: 'none', typ: 'JWT' });
      await rejects(verifier, `${header}.${payload}.`);
      await rejects(verifier, `${header}.${payload}.${signature}`);
      await rejects(verifier, `${b64url({ alg: 'NONE', typ: 'JWT' })}.${payload}.`);
    });

    it('rejects a token signed with another algorithm, even with the right key', async () => {
      const { verifier, mint } = await make();
      await rejects(verifier, await mint({ sub: 'user-1' }, { otherAlgorithm: true }));
    });

    it('rejects a token signed with a foreign key', async () => {
      const { verifier, mintForeign } = await make();
      await rejects(verifier, await mintForeign({ sub: 'user-1' }));
    });

    it('rejects a token whose payload was changed after signing', async () => {
      const { verifier, mint } = await make();
      const [header, payload, signature] = partsOf(await mint({ sub: 'user-1' }));
      const tampered = b64url({ ...decodePart(payload), sub: 'admin' });
      await rejects(verifier, `${header}.${tampered}.${signature}`);
    });

    it('rejects a token whose signature was changed', async () => {
      const { verifier, mint } = await make();
      const [header, payload, signature] = partsOf(await mint({ sub: 'user-1' }));
      const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
      await rejects(verifier, `${header}.${payload}.${flipped}`);
      await rejects(verifier, `${header}.${payload}.`);
    });

    it('rejects a token of another issuer or for another audience', async () => {
      const { verifier, mint } = await make();
      await rejects(verifier, await mint({ sub: 'user-1', iss: 'https://evil.example' }));
      await rejects(verifier, await mint({ sub: 'user-1', aud: 'someone-else' }));
      await rejects(verifier, await mint({ sub: 'user-1', iss: undefined }));
      await rejects(verifier, await mint({ sub: 'user-1', aud: undefined }));
    });

    it('rejects an expired token and one without an expiry', async () => {
      const { verifier, mint } = await make();
      const now = nowSeconds();
      await rejects(verifier, await mint({ sub: 'user-1', iat: now - 7200, exp: now - 3600 }));
      await rejects(verifier, await mint({ sub: 'user-1', exp: undefined }));
    });

    it('rejects a token that is not valid yet', async () => {
      const { verifier, mint } = await make();
      const now = nowSeconds();
      await rejects(verifier, await mint({ sub: 'user-1', nbf: now + 3600, exp: now + 7200 }));
    });

    it('rejects a token without a usable subject', async () => {
      const { verifier, mint } = await make();
      await rejects(verifier, await mint({ sub: undefined }));
      await rejects(verifier, await mint({ sub: '' }));
      await rejects(verifier, await mint({ sub: 42 }));
    });

    it('rejects garbage', async () => {
      const { verifier } = await make();
      for (const garbage of ['', 'garbage', 'a.b.c', '..', 'Bearer x.y.z', `${'x'.repeat(10_000)}.y.z`]) {
        await rejects(verifier, garbage);
      }
    });

    it('explains the rejection without echoing the token', async () => {
      const { verifier, mintForeign } = await make();
      const token = await mintForeign({ sub: 'user-1' });
      const error = await rejects(verifier, token);
      const [, payload, signature] = partsOf(token);
      expect(error.message.length).toBeGreaterThan(0);
      expect(error.message).not.toContain(signature);
      expect(error.message).not.toContain(payload);
      expect(JSON.stringify(error.details ?? {})).not.toContain(signature);
    });

    it('rejects a valid token with ABORTED when the signal has already fired', async () => {
      const { verifier, mint } = await make();
      const token = await mint({ sub: 'user-1' });
      await expect(verifier.verify({ token, signal: aborted() })).rejects.toMatchObject({ code: ErrorCodes.ABORTED });
    });
  });
}
