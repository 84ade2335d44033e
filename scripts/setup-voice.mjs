#!/usr/bin/env node
// `npm start` runs this first (prestart): voice input needs Debian's PocketSphinx (libpocketsphinx3 and the US English
// model), which npm cannot install. When it is missing on Debian/Ubuntu and this user may run apt-get (root, or sudo
// without a password), it installs it and says so; otherwise it prints the command and the assistant starts with
// voice input off. It never fails the start. VOICE_SETUP=0 (or STT set to anything but pocketsphinx) skips it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PACKAGES = ['pocketsphinx', 'pocketsphinx-en-us'];
const MODEL = '/usr/share/pocketsphinx/model/en-us/en-us/mdef';
const COMMAND = `sudo apt-get install ${PACKAGES.join(' ')}`;

function installed() {
  if (!existsSync(MODEL)) return false;
  try {
    return execFileSync('ldconfig', ['-p'], { encoding: 'utf8' }).includes('libpocketsphinx.so.3');
  } catch {
    return ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib'].some((dir) =>
      existsSync(`${dir}/libpocketsphinx.so.3`),
    );
  }
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function aptRunner() {
  if (!has('apt-get')) return undefined;
  if (process.getuid?.() === 0) return [];
  if (has('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0) return ['sudo', '-n'];
  return undefined;
}

function apt(prefix, args) {
  const [command, ...rest] = [...prefix, 'apt-get', ...args];
  return (
    spawnSync(command, rest, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0
  );
}

const skip = process.env.VOICE_SETUP === '0' || (process.env.STT && process.env.STT !== 'pocketsphinx');
if (!skip && process.platform === 'linux' && !installed()) {
  const prefix = aptRunner();
  if (!prefix) {
    console.log(`[voice] speech recognition is not installed; voice input stays off. To enable it: ${COMMAND}`);
  } else {
    console.log(
      `[voice] installing ${PACKAGES.join(' and ')} with apt-get for offline speech recognition (voice input)…`,
    );
    const ok =
      apt(prefix, ['install', '-y', '-qq', '--no-install-recommends', ...PACKAGES]) ||
      (apt(prefix, ['update', '-qq']) && apt(prefix, ['install', '-y', '-qq', '--no-install-recommends', ...PACKAGES]));
    console.log(
      ok && installed()
        ? '[voice] installed: voice input is on.'
        : `[voice] the install failed; voice input stays off. To enable it: ${COMMAND}`,
    );
  }
}
