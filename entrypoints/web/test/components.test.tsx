// @vitest-environment happy-dom
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConversationList } from '../src/ConversationList';
import { MessageBox } from '../src/MessageBox';

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
