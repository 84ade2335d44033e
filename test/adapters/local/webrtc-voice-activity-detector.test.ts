import { expect, it } from 'vitest';
import { WebRtcVoiceActivityDetector } from '../../../adapters/local/webrtc-voice-activity-detector.js';
import { describeVoiceActivityDetectorContract } from '../../contract/voice-activity-detector.contract.js';

describeVoiceActivityDetectorContract('WebRtcVoiceActivityDetector', () => WebRtcVoiceActivityDetector.create());

it('refuses a sample rate WebRTC VAD does not support', async () => {
  await expect(WebRtcVoiceActivityDetector.create({ sampleRate: 11_025 })).rejects.toThrow(/sample rate/);
});
