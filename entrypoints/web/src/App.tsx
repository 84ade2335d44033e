import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Api, ApiError, describeFailure, localSignIn, trackOf, type ConversationSummary } from './api';
import { Settings } from './Settings';
import { Skills } from './Skills';
import { ConversationList } from './ConversationList';
import { MessageBox } from './MessageBox';
import { Talk } from './Talk';
import type { VoiceMode } from './voice-transport';
import { beginSignIn, completeSignIn, type CognitoConfig } from './pkce';
import { clearSession, loadSession, saveSession, type Session } from './session';

export interface ClientConfig {
  auth: { kind: 'local' } | CognitoConfig;
  apiBase?: string;
  /** How the Talk button reaches the server: the voice.v1 WebSocket (default) or one HTTP turn per utterance. */
  voice?: VoiceMode;
}

type Route = 'chat' | 'conversations' | 'settings' | 'skills';

function routeOf(pathname: string): { route: Route; conversationId?: string } {
  const match = /^\/conversations\/([A-Za-z0-9_-]+)$/.exec(pathname);
  if (match?.[1]) return { route: 'chat', conversationId: match[1] };
  if (pathname === '/conversations') return { route: 'conversations' };
  if (pathname === '/settings') return { route: 'settings' };
  if (pathname === '/skills') return { route: 'skills' };
  return { route: 'chat' };
}

interface Message {
  id: string;
  role: 'user' | 'assistant';
  text: string;
  track?: { title?: string; artist?: string; streamUrl: string } | undefined;
  /** A spoken reply the user cut short: `text` is the part they heard. */
  interrupted?: boolean;
}

export function App({ config }: { config: ClientConfig }) {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [path, setPath] = useState(() => location.pathname);
  const [notice, setNotice] = useState<string | null>(null);
  const navigate = useCallback((to: string) => {
    history.pushState(null, '', to);
    setPath(to);
  }, []);
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const signOut = useCallback((why: string | null) => {
    clearSession();
    setSession(null);
    setNotice(why);
  }, []);

  if (path === '/auth/callback' && config.auth.kind === 'cognito')
    return <Callback config={config.auth} onSignedIn={(s) => (setSession(s), navigate('/'))} />;
  if (!session) return <SignIn config={config} notice={notice} onSignedIn={(s) => (setSession(s), setNotice(null))} />;

  const api = new Api(session.token, config.apiBase ?? '');
  const { route, conversationId } = routeOf(path);
  const onError = (error: unknown) => {
    if (error instanceof ApiError && error.kind === 'unauthenticated')
      signOut('Your session has expired. Sign in again to continue.');
  };
  const link = (to: string, label: string, current: boolean) => (
    <a
      href={to}
      aria-current={current ? 'page' : undefined}
      onClick={(event) => {
        event.preventDefault();
        navigate(to);
      }}
    >
      {label}
    </a>
  );
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header>
        <h1>Voice Assistant</h1>
        <nav aria-label="Main">
          {link('/', 'Chat', route === 'chat')}
          {link('/conversations', 'Conversations', route === 'conversations')}
          {link('/settings', 'Settings', route === 'settings')}
          {link('/skills', 'What can I say', route === 'skills')}
          <button type="button" className="link" onClick={() => signOut(null)}>
            Sign out
          </button>
        </nav>
      </header>
      <main id="main">
        {route === 'chat' && (
          <Chat
            key={conversationId ?? 'new'}
            api={api}
            token={session.token}
            voice={config.voice ?? 'websocket'}
            apiBase={config.apiBase ?? ''}
            conversationId={conversationId}
            onConversation={(id) => history.replaceState(null, '', `/conversations/${id}`)}
            onError={onError}
          />
        )}
        {route === 'conversations' && (
          <Conversations api={api} onOpen={(id) => navigate(`/conversations/${id}`)} onError={onError} />
        )}
        {route === 'settings' && <Settings api={api} onError={onError} />}
        {route === 'skills' && <Skills api={api} onError={onError} />}
      </main>
    </>
  );
}

function SignIn({
  config,
  notice,
  onSignedIn,
}: {
  config: ClientConfig;
  notice: string | null;
  onSignedIn: (session: Session) => void;
}) {
  const [user, setUser] = useState('');
  const [error, setError] = useState<string | null>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      if (config.auth.kind === 'cognito') {
        location.assign(await beginSignIn(config.auth));
        return;
      }
      const { token, expiresIn } = await localSignIn(user.trim(), config.apiBase ?? '');
      onSignedIn(saveSession(token, expiresIn));
    } catch (failure) {
      setError(describeFailure(failure));
    }
  }
  return (
    <main id="main" className="sign-in">
      <h1>Voice Assistant</h1>
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      <form onSubmit={(event) => void submit(event)}>
        {config.auth.kind === 'local' ? (
          <>
            <label htmlFor="user">Your name (local profile: no password)</label>
            <input
              id="user"
              autoComplete="username"
              value={user}
              required
              pattern="[A-Za-z0-9_.\-]+"
              onChange={(event) => setUser(event.target.value)}
            />
            <button type="submit">Sign in</button>
          </>
        ) : (
          <button type="submit">Sign in with your account</button>
        )}
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </main>
  );
}

function Callback({ config, onSignedIn }: { config: CognitoConfig; onSignedIn: (session: Session) => void }) {
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    completeSignIn(config, location.search).then(
      ({ token, expiresIn }) => onSignedIn(saveSession(token, expiresIn)),
      (failure: unknown) => setError(describeFailure(failure)),
    );
  }, [config, onSignedIn]);
  return (
    <main id="main" className="sign-in">
      <h1>Signing in…</h1>
      {error && (
        <p role="alert" className="error">
          {error} <a href="/">Start again</a>
        </p>
      )}
    </main>
  );
}

function Chat({
  api,
  token,
  voice,
  apiBase,
  conversationId,
  onConversation,
  onError,
}: {
  api: Api;
  token: string;
  voice: VoiceMode;
  apiBase: string;
  conversationId: string | undefined;
  onConversation: (id: string) => void;
  onError: (error: unknown) => void;
}) {
  const [messages, setMessages] = useState<Message[]>([]);
  const [streaming, setStreaming] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const current = useRef(conversationId);
  useEffect(() => {
    if (!conversationId) return;
    api.turns(conversationId).then(
      (turns) => setMessages(turns.map((t) => ({ id: t.id, role: t.role, text: t.text, track: trackOf(t.data) }))),
      (error: unknown) => {
        onError(error);
        setLoadError(describeFailure(error));
      },
    );
  }, [conversationId]);

  async function ensureConversation(): Promise<string> {
    if (!current.current) {
      const created = await api.createConversation();
      current.current = created.id;
      onConversation(created.id);
    }
    return current.current;
  }

  async function send(text: string) {
    try {
      const id = await ensureConversation();
      setStreaming('');
      let heard = text;
      const reply = await api.sendTurn(id, text, {
        heard: (t) => (heard = t || text),
        delta: (t) => setStreaming((s) => (s ?? '') + t),
      });
      setMessages((m) => [
        ...m,
        { id: `${reply.turnId}-user`, role: 'user', text: reply.heard || heard },
        { id: reply.turnId, role: 'assistant', text: reply.text, track: trackOf(reply.data) },
      ]);
    } catch (error) {
      onError(error);
      throw new Error(describeFailure(error));
    } finally {
      setStreaming(null);
    }
  }

  return (
    <section aria-labelledby="chat-title" className="chat">
      <h2 id="chat-title">Chat</h2>
      {loadError && (
        <p role="alert" className="error">
          {loadError}
        </p>
      )}
      <ol className="messages" aria-label="Conversation so far">
        {messages.map((m) => (
          <li key={m.id} className={m.role}>
            <span className="visually-hidden">{m.role === 'user' ? 'You: ' : 'Assistant: '}</span>
            {m.text}
            {m.interrupted && <span className="interrupted"> (interrupted)</span>}
            {m.track && (
              <figure className="track">
                <figcaption>
                  {m.track.title ?? 'Track'}
                  {m.track.artist ? ` — ${m.track.artist}` : ''}
                </figcaption>
                <audio controls src={m.track.streamUrl} preload="none" />
              </figure>
            )}
          </li>
        ))}
      </ol>
      <p aria-live="polite" className="streaming" data-testid="streaming">
        {streaming}
      </p>
      <MessageBox onSend={send} draftKey="assistant.draft" />
      <Talk
        token={token}
        voice={voice}
        apiBase={apiBase}
        onUnauthenticated={() => onError(new ApiError('unauthenticated', 'The session has expired.', 401))}
        conversationId={ensureConversation}
        onTurn={(heard, reply, interrupted) =>
          setMessages((m) => [
            ...m,
            { id: `${m.length}-voice-user`, role: 'user', text: heard },
            { id: `${m.length}-voice-reply`, role: 'assistant', text: reply, interrupted },
          ])
        }
      />
    </section>
  );
}

function Conversations({
  api,
  onOpen,
  onError,
}: {
  api: Api;
  onOpen: (id: string) => void;
  onError: (error: unknown) => void;
}) {
  const [items, setItems] = useState<ConversationSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api.conversations().then(setItems, (failure: unknown) => {
      onError(failure);
      setError(describeFailure(failure));
    });
  }, []);
  useEffect(load, [load]);
  return (
    <section aria-labelledby="conversations-title">
      <h2 id="conversations-title">Conversations</h2>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {items === null ? (
        <p>Loading…</p>
      ) : (
        <ConversationList
          items={items}
          onOpen={onOpen}
          onDelete={(id) =>
            void api.deleteConversation(id).then(load, (failure: unknown) => {
              onError(failure);
              setError(describeFailure(failure));
            })
          }
        />
      )}
    </section>
  );
}
