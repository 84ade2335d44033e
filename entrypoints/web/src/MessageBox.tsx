import { useId, useState, type FormEvent, type KeyboardEvent } from 'react';

export interface MessageBoxProps {
  /** Sends the text; a rejection keeps the draft and shows the error's message. */
  onSend: (text: string) => Promise<void>;
  disabled?: boolean;
  /** Where the draft is kept between page loads (sessionStorage), so a sign-in after an expired session keeps it. */
  draftKey?: string;
}

function storedDraft(key: string | undefined): string {
  try {
    return (key && sessionStorage.getItem(key)) || '';
  } catch {
    return '';
  }
}

function storeDraft(key: string | undefined, text: string) {
  try {
    if (key) {
      if (text) sessionStorage.setItem(key, text);
      else sessionStorage.removeItem(key);
    }
  } catch {
    // Storage refused (private mode quotas): the draft still lives in the box.
  }
}

/** The typing box: Enter sends, Shift+Enter is a new line; nothing typed is lost when sending fails. */
export function MessageBox({ onSend, disabled = false, draftKey }: MessageBoxProps) {
  const [draft, setDraftState] = useState(() => storedDraft(draftKey));
  const setDraft = (text: string) => {
    setDraftState(text);
    storeDraft(draftKey, text);
  };
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    const text = draft.trim();
    if (!text || sending) return;
    setSending(true);
    setError(null);
    try {
      await onSend(text);
      setDraft('');
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setSending(false);
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey) void submit(event);
  }

  return (
    <form className="message-box" onSubmit={(event) => void submit(event)}>
      <label htmlFor={`${id}-text`} className="visually-hidden">
        Message
      </label>
      <textarea
        id={`${id}-text`}
        value={draft}
        rows={2}
        placeholder="Ask something, e.g. what's the weather in Paris?"
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={onKeyDown}
        aria-describedby={error ? `${id}-error` : undefined}
        aria-invalid={error ? true : undefined}
        disabled={disabled}
      />
      <button type="submit" disabled={disabled || sending || draft.trim() === ''}>
        {sending ? 'Sending…' : 'Send'}
      </button>
      {error && (
        <p id={`${id}-error`} role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}
