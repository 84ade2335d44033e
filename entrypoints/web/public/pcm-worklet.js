/* global AudioWorkletProcessor, registerProcessor, sampleRate */
// Microphone audio at the context's rate → 16 kHz mono PCM16 frames of 20 ms (320 samples), posted as transferred
// ArrayBuffers, each with its RMS level (0..1) for the meter and the hands-free voice detector.
const TARGET_RATE = 16000;
const FRAME_SAMPLES = 320;

class PcmFrames extends AudioWorkletProcessor {
  constructor() {
    super();
    this.step = sampleRate / TARGET_RATE;
    this.position = 0;
    this.sum = 0;
    this.count = 0;
    this.frame = new Int16Array(FRAME_SAMPLES);
    this.filled = 0;
    this.energy = 0;
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!channel) return true;
    for (let i = 0; i < channel.length; i++) {
      // Box-filter downsampling: the mean of the input samples that fall in each output sample's interval.
      this.sum += channel[i];
      this.count++;
      this.position += 1;
      if (this.position >= this.step) {
        this.position -= this.step;
        const value = Math.max(-1, Math.min(1, this.sum / this.count));
        this.sum = 0;
        this.count = 0;
        this.energy += value * value;
        this.frame[this.filled++] = value < 0 ? value * 0x8000 : value * 0x7fff;
        if (this.filled === FRAME_SAMPLES) {
          const buffer = this.frame.buffer;
          this.port.postMessage({ pcm: buffer, level: Math.sqrt(this.energy / FRAME_SAMPLES) }, [buffer]);
          // The transferred buffer is gone (detached); the next frame gets a new one.
          this.frame = new Int16Array(FRAME_SAMPLES);
          this.filled = 0;
          this.energy = 0;
        }
      }
    }
    return true;
  }
}

registerProcessor('pcm-frames', PcmFrames);
