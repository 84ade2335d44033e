// @vitest-environment happy-dom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConversationList } from '../src/ConversationList';
import { MessageBox } from '../src/MessageBox';
import { Talk } from '../src/Talk';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let container: HTMLDivElement;
let root: Root;
beforeEach(() => {
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

function type(textarea: HTMLTextAreaElement, value: string) {
  const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')?.set;
  setter?.call(textarea, value);
  textarea.dispatchEvent(new Event('input', { bubbles: true }));
}

describe('MessageBox', () => {
  it('keeps the draft and shows the detail when sending fails, and clears it once sent', async () => {
    const onSend = vi
      .fn<(text: string) => Promise<void>>()
      .mockRejectedValueOnce(new Error('The server cannot be reached.'))
      .mockResolvedValueOnce(undefined);
    act(() => root.render(<MessageBox onSend={onSend} />));
    const textarea = container.querySelector('textarea');
    const button = container.querySelector('button');
    if (!textarea || !button) throw new Error('no form');
    expect(container.querySelector('label')?.textContent).toBe('Message');
    act(() => type(textarea, 'weather in Paris'));
    await act(async () => button.click());
    expect(onSend).toHaveBeenCalledWith('weather in Paris');
    expect(textarea.value).toBe('weather in Paris');
    expect(container.querySelector('[role="alert"]')?.textContent).toBe('The server cannot be reached.');
    expect(textarea.getAttribute('aria-invalid')).toBe('true');

    await act(async () => button.click());
    expect(textarea.value).toBe('');
    expect(container.querySelector('[role="alert"]')).toBeNull();
  });

  it('sends on Enter but not on Shift+Enter, and never sends blank text', async () => {
    const onSend = vi.fn<(text: string) => Promise<void>>().mockResolvedValue(undefined);
    act(() => root.render(<MessageBox onSend={onSend} />));
    const textarea = container.querySelector('textarea');
    if (!textarea) throw new Error('no textarea');
    act(() => type(textarea, '   '));
    await act(async () => textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })));
    expect(onSend).not.toHaveBeenCalled();
    act(() => type(textarea, 'hello'));
    await act(async () =>
      textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, bubbles: true })),
    );
    expect(onSend).not.toHaveBeenCalled();
    await act(async () => textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })));
    expect(onSend).toHaveBeenCalledWith('hello');
  });
});

describe('ConversationList', () => {
  it('lists conversations, opens one and deletes one by their buttons', () => {
    const onOpen = vi.fn();
    const onDelete = vi.fn();
    const items = [
      { id: 'c1', title: 'Weather talk' },
      { id: 'c2', updatedAt: '2026-01-02T03:04:05Z' },
    ];
    act(() => root.render(<ConversationList items={items} currentId="c1" onOpen={onOpen} onDelete={onDelete} />));
    const entries = [...container.querySelectorAll('li')];
    expect(entries).toHaveLength(2);
    const open = entries[0]?.querySelector('button');
    expect(open?.textContent).toBe('Weather talk');
    expect(open?.getAttribute('aria-current')).toBe('true');
    act(() => open?.click());
    expect(onOpen).toHaveBeenCalledWith('c1');
    const remove = container.querySelector<HTMLButtonElement>('button[aria-label^="Delete Conversation of"]');
    act(() => remove?.click());
    expect(onDelete).toHaveBeenCalledWith('c2');
  });

  it('says so when there are none', () => {
    act(() => root.render(<ConversationList items={[]} onOpen={vi.fn()} onDelete={vi.fn()} />));
    expect(container.textContent).toBe('No conversations yet.');
  });
});

describe('Talk: the hands-free switch', () => {
  it('is a labelled switch beside push-to-talk; switched on, it disables the button and is remembered', async () => {
    localStorage.removeItem('assistant.handsFree');
    // A microphone that never answers: the switch stays on while it opens.
    const getUserMedia = vi.fn(() => new Promise<MediaStream>(() => undefined));
    Object.defineProperty(navigator, 'mediaDevices', { value: { getUserMedia }, configurable: true });
    act(() => root.render(<Talk token="t" conversationId={() => Promise.resolve('c1')} onTurn={vi.fn()} />));
    const toggle = container.querySelector<HTMLInputElement>('input[role="switch"]');
    const button = container.querySelector<HTMLButtonElement>('button');
    if (!toggle || !button) throw new Error('no controls');
    expect(toggle.closest('label')?.textContent).toBe('Hands-free');
    expect(toggle.checked).toBe(false);
    expect(button.disabled).toBe(false);
    await act(async () => toggle.click());
    expect(toggle.checked).toBe(true);
    expect(button.disabled).toBe(true);
    expect(localStorage.getItem('assistant.handsFree')).toBe('1');
    expect(getUserMedia).toHaveBeenCalledWith({
      audio: expect.objectContaining({ echoCancellation: true }) as unknown,
    });
    expect(container.querySelector('[data-testid="voice-status"]')?.textContent).toBe('Opening the microphone…');
    await act(async () => toggle.click());
    expect(toggle.checked).toBe(false);
    expect(localStorage.getItem('assistant.handsFree')).toBe('0');
  });

  it('switches itself off and says why when the microphone is refused', async () => {
    const refused = Object.assign(new Error('denied'), { name: 'NotAllowedError' });
    const getUserMedia = vi.fn(() => Promise.reject(refused));
    Object.defineProperty(navigator, 'mediaDevices', { value: { getUserMedia }, configurable: true });
    act(() => root.render(<Talk token="t" conversationId={() => Promise.resolve('c1')} onTurn={vi.fn()} />));
    const toggle = container.querySelector<HTMLInputElement>('input[role="switch"]');
    await act(async () => toggle?.click());
    expect(toggle?.checked).toBe(false);
    expect(container.querySelector('[role="alert"]')?.textContent).toMatch(/Microphone access was denied/);
    expect(localStorage.getItem('assistant.handsFree')).toBe('0');
  });
});
