import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { loadConfig } from '../../entrypoints/composition/config.js';
import { createLogger } from '../../entrypoints/composition/logger.js';
import { startServer, type RunningServer } from '../../entrypoints/http/server.js';
import { encodeWav } from '../../adapters/shared/wav.js';
import { startOpenMeteoServer } from '../fakes/open-meteo-server.js';
import { fliteSpeak, pad } from '../support/flite.js';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'web');

type Weather = Awaited<ReturnType<typeof startOpenMeteoServer>>;

/**
 * What the web client's end-to-end suite runs against: a fresh build of entrypoints/web served by the real local
 * server (free port, temporary DATA_DIR, weather from a local Open-Meteo), Debian's Chromium driven through
 * playwright-core (never a downloaded browser), axe-core for the accessibility checks, and browsers whose microphone
 * plays speech synthesised with flite. `start` in `beforeAll`, `close` in `afterAll`.
 */
export class WebE2eSession {
  dataDir = '';
  #webDir = '';
  #weather: Weather | undefined;
  #server: RunningServer | undefined;
  #httpServer: RunningServer | undefined;
  #browser: Browser | undefined;
  #axeSource = '';

  get server(): RunningServer {
    if (!this.#server) throw new Error('the web session has not started');
    return this.#server;
  }

  get browser(): Browser {
    if (!this.#browser) throw new Error('the web session has not started');
    return this.#browser;
  }

  async start(): Promise<void> {
    if (!haveChromium) {
      throw new Error(`CI=true and no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium)`);
    }
    this.dataDir = await mkdtemp(join(tmpdir(), 'web-e2e-'));
    this.#webDir = join(this.dataDir, 'web');
    const build = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'build-web.ts')], {
      cwd: ROOT,
      env: { ...process.env, WEB_OUT_DIR: this.#webDir },
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`the web client did not build:\n${build.stdout}\n${build.stderr}`);
    this.#weather = await startOpenMeteoServer();
    this.#server = await this.#startServer('data', {});
    this.#browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
    });
    this.#axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    await mkdir(ARTIFACTS, { recursive: true });
  }

  async close(): Promise<void> {
    await this.#httpServer?.close();
    await this.#browser?.close();
    await this.#server?.close();
    await this.#weather?.close();
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
  }

  /** A second server whose /config.json selects the HTTP transport, as the deployed client's does (started once). */
  async httpVoiceServer(): Promise<RunningServer> {
    this.#httpServer ??= await this.#startServer('data-http', { WEB_VOICE: 'http' });
    return this.#httpServer;
  }

  /** A local server on its own data directory under the suite's, serving the fresh build, with `env` set meanwhile. */
  async #startServer(data: string, env: Record<string, string>): Promise<RunningServer> {
    const set = { WEB_DIR: this.#webDir, ...env };
    Object.assign(process.env, set);
    try {
      const config = loadConfig({
        DATA_DIR: join(this.dataDir, data),
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        WEATHER_GEOCODING_URL: this.#weather!.url,
        WEATHER_FORECAST_URL: this.#weather!.url,
        TTS: 'espeak',
      });
      return await startServer(config, createLogger('silent'));
    } finally {
      for (const name of Object.keys(set)) delete process.env[name];
    }
  }

  /** A page of `context` on `url`, signed in as `user`, with no Content Security Policy error on the way. */
  async signedIn(context: BrowserContext, user: string, url = this.server.url): Promise<Page> {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) errors.push(message.text());
    });
    await page.goto(url);
    await page.getByLabel(/Your name/).fill(user);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Chat' }).waitFor();
    expect(errors).toEqual([]);
    return page;
  }

  /** Runs axe-core on the page and expects no serious or critical violation. */
  async axe(page: Page, screen: string): Promise<void> {
    await page.addScriptTag({ content: this.#axeSource });
    const result = await page.evaluate(async () => {
      const run = (globalThis as unknown as { axe: { run: (context?: unknown) => Promise<unknown> } }).axe.run;
      return (await run()) as { violations: { id: string; impact: string | null; help: string; nodes: unknown[] }[] };
    });
    const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(
      serious.map((v) => `${screen}: ${v.id} (${v.impact}) ${v.help}`),
      screen,
    ).toEqual([]);
  }

  /** A browser whose microphone plays `text` padded with 0.5 s of silence, or a script: phrases and seconds of silence. */
  async fakeMicrophone(text: string | (string | number)[]): Promise<{ browser: Browser; seconds: number }> {
    const script = typeof text === 'string' ? [text] : text;
    const parts: Int16Array[] = [];
    let sampleRate = 16_000;
    for (const part of script) {
      if (typeof part === 'number') {
        parts.push(new Int16Array(Math.round(part * sampleRate)));
        continue;
      }
      const speech = await fliteSpeak(part, 'slt');
      sampleRate = speech.sampleRate;
      parts.push(typeof text === 'string' ? pad(speech.samples, sampleRate, 0.5) : speech.samples);
    }
    const samples = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (samples.set(p, at), at + p.length), 0);
    const wav = join(this.dataDir, `${script.join('-').replace(/\W+/g, '-')}.wav`);
    await writeFile(wav, encodeWav(samples, sampleRate));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${wav}%noloop`,
        '--autoplay-policy=no-user-gesture-required',
      ],
    });
    return { browser, seconds: samples.length / sampleRate + (typeof text === 'string' ? 0 : 1) };
  }
}

/** The spoken "what time is it" turn went through: its transcript shown, the reply listed and played to its end. */
export async function expectTimeTurnPlayed(page: Page, transcriptTimeout: number): Promise<void> {
  const transcript = page.getByTestId('transcript');
  await transcript.filter({ hasText: /time/i }).waitFor({ timeout: transcriptTimeout });
  expect(await transcript.textContent()).toMatch(/what time is it/i);
  await page.locator('.messages li.assistant').first().waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => (globalThis as unknown as { ended: number }).ended > 0, undefined, {
    timeout: 20_000,
  });
}

/** Hands-free is listening again, the microphone still open. */
export async function backToListening(page: Page): Promise<void> {
  await page
    .getByTestId('voice-status')
    .filter({ hasText: /Listening/ })
    .waitFor({ timeout: 20_000 });
}
