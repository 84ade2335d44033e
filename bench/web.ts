import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig } from '../entrypoints/composition/config.js';
import { createLogger } from '../entrypoints/composition/logger.js';
import { startServer } from '../entrypoints/http/server.js';
import { BUDGET_BYTES, bundleSizes, kb } from '../scripts/web-bundle-size.js';

/**
 * Time to interactive of the web client on the real local server, against a baseline page measured in the same run.
 *
 * Interactive, precisely: milliseconds from the navigation's start (the page's `performance.timeOrigin`) until the
 * first screen's control can be used: the sign-in screen's name field and its "Sign in" submit button are in the DOM,
 * connected and not disabled (a signed-out user), or the chat's "Message" text box is (a signed-in user, with the
 * session already in sessionStorage). A MutationObserver installed before any page script notes the moment, so the
 * figure includes HTML, the hashed JS and CSS, /config.json, React's first render and, signed in, nothing fetched
 * after the box is shown.
 *
 * Baseline: a bare Fastify in this process serves a minimal page whose one same-origin script creates the same
 * name field and button: what any page with a script costs to become interactive here, so the ratio says what the
 * client adds whatever the machine's load. Each load is a fresh browser context (cold cache, no service worker); the
 * subjects are interleaved round by round and the median is reported. BENCH_WEB_RUNS sets the rounds (default 7).
 * Also prints the first screen's gzipped JavaScript against its 200 KB budget. Skipped, with the reason, when
 * Debian's Chromium is missing (CHROMIUM_PATH overrides /usr/bin/chromium).
 */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const runs = Math.max(1, Number(process.env['BENCH_WEB_RUNS'] ?? 7));
const root = fileURLToPath(new URL('../', import.meta.url));

/**
 * Runs in the page before its scripts: records when the control is ready as `globalThis.__interactive`. A string, not a
 * function: tsx's compiled functions may call helpers (`__name`) that do not exist in the page.
 */
function watchInteractive(kind: 'sign-in' | 'chat'): string {
  return `(() => {
    const kind = ${JSON.stringify(kind)};
    const ready = () => {
      if (kind === 'chat') {
        const box = document.querySelector('textarea');
        return !!box && box.isConnected && !box.disabled;
      }
      const name = document.querySelector('input#user');
      const submit = document.querySelector('button[type="submit"]');
      return !!name && name.isConnected && !name.disabled && !!submit && submit.isConnected && !submit.disabled;
    };
    const observer = new MutationObserver(() => {
      if (globalThis.__interactive === undefined && ready()) {
        globalThis.__interactive = performance.now();
        observer.disconnect();
      }
    });
    observer.observe(document, { childList: true, subtree: true, attributes: true });
  })();`;
}

const BASELINE_HTML =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Baseline</title>' +
  '<script type="module" src="/baseline.js"></script></head><body><main id="root"></main></body></html>';
const BASELINE_JS =
  "const form = document.createElement('form');" +
  'form.innerHTML = \'<label for="user">Your name</label><input id="user"><button type="submit">Sign in</button>\';' +
  "document.getElementById('root').append(form);";

async function timeToInteractive(
  browser: Browser,
  url: string,
  kind: 'sign-in' | 'chat',
  session?: string,
): Promise<number> {
  const context = await browser.newContext();
  try {
    if (session) {
      await context.addInitScript(`sessionStorage.setItem('assistant.session', ${JSON.stringify(session)});`);
    }
    await context.addInitScript(watchInteractive(kind));
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => (globalThis as { __interactive?: number }).__interactive !== undefined, null, {
      timeout: 30_000,
    });
    return await page.evaluate(() => (globalThis as unknown as { __interactive: number }).__interactive);
  } finally {
    await context.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-web-'));
  const webDir = join(dir, 'web');
  try {
    const build = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build-web.ts')], {
      cwd: root,
      env: { ...process.env, WEB_OUT_DIR: webDir },
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`the web client did not build:\n${build.stdout}\n${build.stderr}`);
    const sizes = bundleSizes(webDir);
    const over = sizes.firstScreen > BUDGET_BYTES;
    process.stdout.write(
      `web bundle: first screen ${kb(sizes.firstScreen)} gzipped JS of ${kb(BUDGET_BYTES)} budget ` +
        `(${((sizes.firstScreen / BUDGET_BYTES) * 100).toFixed(0)} %${over ? ', OVER' : ''}); ` +
        `${kb(sizes.total)} in all (the hands-free VAD worker loads only when switched on)\n`,
    );
    if (!existsSync(CHROMIUM)) {
      process.stdout.write(
        `web time to interactive: skipped, no Chromium at ${CHROMIUM} (apt-get install -y chromium)\n`,
      );
      return;
    }

    process.env['WEB_DIR'] = webDir;
    const server = await startServer(
      loadConfig({ DATA_DIR: join(dir, 'data'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }),
      createLogger('silent'),
    );
    delete process.env['WEB_DIR'];
    const baseline = Fastify();
    baseline.get('/', (_request, reply) => reply.type('text/html').send(BASELINE_HTML));
    baseline.get('/baseline.js', (_request, reply) => reply.type('text/javascript').send(BASELINE_JS));
    const baselineUrl = await baseline.listen({ host: '127.0.0.1', port: 0 });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const signIn = await fetch(`${server.url}/v1/local/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'bench' }),
      });
      const { token, expiresIn } = (await signIn.json()) as { token: string; expiresIn: number };
      const session = JSON.stringify({ token, expiresAt: Date.now() + expiresIn * 1000 });

      // One warm-up of each, unmeasured: the first launch of a renderer and the server's first requests.
      await timeToInteractive(browser, baselineUrl, 'sign-in');
      await timeToInteractive(browser, server.url, 'sign-in');
      const figures = { baseline: [] as number[], signIn: [] as number[], chat: [] as number[] };
      for (let round = 0; round < runs; round++) {
        figures.baseline.push(await timeToInteractive(browser, baselineUrl, 'sign-in'));
        figures.signIn.push(await timeToInteractive(browser, server.url, 'sign-in'));
        figures.baseline.push(await timeToInteractive(browser, baselineUrl, 'sign-in'));
        figures.chat.push(await timeToInteractive(browser, server.url, 'chat', session));
      }
      const base = median(figures.baseline);
      const row = (name: string, values: number[]) =>
        `  ${name.padEnd(44)} median ${median(values).toFixed(0).padStart(5)} ms  ` +
        `(min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)})  ` +
        `${(median(values) / base).toFixed(2)}× baseline\n`;
      process.stdout.write(
        `web time to interactive (fresh context each load, ${runs} rounds, Chromium headless, local server):\n` +
          row('baseline: bare Fastify, one-script page', figures.baseline) +
          row('client, signed out: name field + Sign in', figures.signIn) +
          row('client, signed in: message box', figures.chat),
      );
    } finally {
      await browser.close();
      await baseline.close();
      await server.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
