import type { VoiceEvent, VoiceTransport, VoiceTransportHandlers } from './voice-transport';

interface SocketMessage {
  type: string;
  text?: string;
  format?: { sampleRate: number };
  turn?: { heard?: string; text?: string; interrupted?: boolean };
  problem?: { detail?: string; title?: string; code?: string; status?: number };
}

/** A voice.v1 server message as a transport event; messages the client does not use are dropped. */
export function socketEvent(data: string | ArrayBuffer): VoiceEvent | undefined {
  if (typeof data !== 'string') return { type: 'audio', data };
  const message = JSON.parse(data) as SocketMessage;
  switch (message.type) {
    case 'speech-started':
    case 'speech-ended':
      return { type: message.type };
    case 'transcript':
    case 'reply-delta':
      return { type: message.type, text: message.text ?? '' };
    case 'audio-start':
      return { type: 'audio-start', sampleRate: message.format?.sampleRate ?? 16_000 };
    case 'turn':
      return { type: 'turn', turn: message.turn ?? {} };
    case 'error': {
      const { code, status, detail, title } = message.problem ?? {};
      return {
        type: 'error',
        problem: {
          ...(code && { code }),
          ...(status && { status }),
          detail: detail ?? title ?? 'The voice turn failed.',
        },
      };
    }
    default:
      return undefined;
  }
}

/**
 * One `voice.v1` WebSocket (token in the `bearer.<jwt>` subprotocol) on the page's own host, whose `start` goes first:
 * audio and control messages sent before it is open and started wait, in order, and follow it.
 */
export class VoiceSocket implements VoiceTransport {
  private readonly ws: WebSocket;
  private outbox: (ArrayBuffer | string)[] = [];
  private started = false;
  private done = false;

  constructor(token: string, conversationId: Promise<string>, handlers: VoiceTransportHandlers) {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    this.ws = new WebSocket(`${scheme}://${location.host}/v1/voice`, ['voice.v1', `bearer.${token}`]);
    this.ws.binaryType = 'arraybuffer';
    this.ws.onopen = () => {
      conversationId.then(
        (id) => {
          if (this.done) return;
          this.ws.send(JSON.stringify({ type: 'start', conversationId: id }));
          for (const message of this.outbox) this.ws.send(message);
          this.outbox = [];
          this.started = true;
        },
        () => this.close(),
      );
    };
    this.ws.onmessage = (message: MessageEvent<string | ArrayBuffer>) => {
      const event = socketEvent(message.data);
      if (event) handlers.event(event);
    };
    this.ws.onerror = handlers.error;
    this.ws.onclose = () => {
      if (this.done) return;
      this.done = true;
      handlers.closed();
    };
  }

  send(frame: ArrayBuffer): void {
    this.post(frame);
  }

  /** The server endpoints the utterance itself; `end` makes sure (a no-op when it already has). */
  end(): void {
    this.post(JSON.stringify({ type: 'end' }));
  }

  /** The server stops the reply and stores the part that was heard, marked interrupted. */
  cancel(): void {
    this.post(JSON.stringify({ type: 'cancel' }));
  }

  close(): void {
    this.done = true;
    this.outbox = [];
    this.ws.close();
  }

  private post(message: ArrayBuffer | string): void {
    if (this.done) return;
    if (this.started && this.ws.readyState === WebSocket.OPEN) this.ws.send(message);
    else this.outbox.push(message);
  }
}
