// Regenerates test/fixtures/audio/ (Ogg/Opus and WebM/Opus clips the audio-turn tests send): speech from flite's slt
// and rms voices, encoded once with ffmpeg's libopus. ffmpeg is needed only to run this script on a dev machine
// (`apt-get install ffmpeg`); the tests and the server decode Opus with the opus-decoder npm package and never call it.
// Run: npx tsx scripts/make-audio-fixtures.ts
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav } from '../adapters/shared/wav.js';
import { fliteSpeak, pad, type FliteVoice } from '../test/support/flite.js';

const OUT = join(import.meta.dirname, '..', 'test', 'fixtures', 'audio');

const CLIPS: { text: string; voice: FliteVoice; file: string; args: string[]; stdout?: boolean }[] = [
  { text: 'play some jazz', voice: 'slt', file: 'play-some-jazz.opus.ogg', args: ['-ac', '1'] },
  // Stereo WebM with known element sizes, as a file written by a seeking muxer.
  {
    text: 'what is the weather in paris',
    voice: 'rms',
    file: 'weather-in-paris.stereo.webm',
    args: ['-ac', '2', '-f', 'webm'],
  },
  // Written to a pipe, so the Segment and Clusters keep unknown sizes, as MediaRecorder writes them.
  {
    text: 'play some jazz',
    voice: 'slt',
    file: 'play-some-jazz.streamed.webm',
    args: ['-ac', '1', '-f', 'webm'],
    stdout: true,
  },
];

const work = await mkdtemp(join(tmpdir(), 'audio-fixtures-'));
try {
  for (const clip of CLIPS) {
    const speech = await fliteSpeak(clip.text, clip.voice);
    const wav = join(work, 'speech.wav');
    await writeFile(wav, encodeWav(pad(speech.samples, speech.sampleRate, 0.3), speech.sampleRate));
    const base = ['-loglevel', 'error', '-y', '-i', wav, '-c:a', 'libopus', '-b:a', '24k', ...clip.args];
    if (clip.stdout) {
      await writeFile(join(OUT, clip.file), execFileSync('ffmpeg', [...base, 'pipe:1']));
    } else {
      execFileSync('ffmpeg', [...base, join(OUT, clip.file)]);
    }
    process.stdout.write(`wrote ${clip.file}\n`);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
