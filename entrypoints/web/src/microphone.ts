// The microphone as both talking modes open it: 16 kHz PCM16 frames of 20 ms from the PCM worklet, with their level.

/** Why the microphone could not be opened, and what to do about it. */
export function microphoneProblem(error: unknown): string {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'Microphone access was denied. Allow the microphone for this site in the browser settings, or type instead.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return 'No microphone was found. Connect one and try again, or type instead.';
  if (!('mediaDevices' in navigator))
    return 'This page cannot use the microphone here (it needs https or localhost). You can still type.';
  return `The microphone could not be opened (${name || String(error)}). You can still type.`;
}

export interface Mic {
  context: AudioContext;
  stream: MediaStream;
  node: AudioWorkletNode;
}

/** Opens the microphone (echo cancellation on: the reply may be playing) through the PCM worklet. */
export async function openMic(onFrame: (pcm: ArrayBuffer, level: number) => void): Promise<Mic> {
  if (!navigator.mediaDevices) throw new Error('no mediaDevices');
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: true, noiseSuppression: false, autoGainControl: false, channelCount: 1 },
  });
  try {
    const context = new AudioContext();
    await context.audioWorklet.addModule('/pcm-worklet.js');
    const node = new AudioWorkletNode(context, 'pcm-frames');
    context.createMediaStreamSource(stream).connect(node);
    node.port.onmessage = (event: MessageEvent<{ pcm: ArrayBuffer; level: number }>) =>
      onFrame(event.data.pcm, event.data.level);
    return { context, stream, node };
  } catch (error) {
    stream.getTracks().forEach((track) => track.stop());
    throw Object.assign(
      new Error(`Talking is not available: ${error instanceof Error ? error.message : String(error)}`),
      {
        name: 'WorkletError',
      },
    );
  }
}
