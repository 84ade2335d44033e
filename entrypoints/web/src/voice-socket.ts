export interface VoiceSocketHandlers {
  message: (event: MessageEvent<string | ArrayBuffer>) => void;
  error: () => void;
  /** The server (or the network) closed it; not called after `close()`. */
  closed: () => void;
}

/**
 * One `voice.v1` WebSocket (token in the `bearer.<jwt>` subprotocol) whose `start` goes first: audio and control
 * messages sent before it is open and started wait, in order, and follow it.
 */
export class VoiceSocket {
  private readonly ws: WebSocket;
  private outbox: (ArrayBuffer | string)[] = [];
  private started = false;
  private done = false;

  constructor(token: string, conversationId: Promise<string>, handlers: VoiceSocketHandlers) {
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
    this.ws.onmessage = handlers.message;
    this.ws.onerror = handlers.error;
    this.ws.onclose = () => {
      if (this.done) return;
      this.done = true;
      handlers.closed();
    };
  }

  send(message: ArrayBuffer | string): void {
    if (this.done) return;
    if (this.started && this.ws.readyState === WebSocket.OPEN) this.ws.send(message);
    else this.outbox.push(message);
  }

  close(): void {
    this.done = true;
    this.outbox = [];
    this.ws.close();
  }
}
