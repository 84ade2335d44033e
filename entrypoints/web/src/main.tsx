import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, type ClientConfig } from './App';
import './styles.css';

async function start() {
  const root = createRoot(document.getElementById('root') as HTMLElement);
  let config: ClientConfig = { auth: { kind: 'local' } };
  try {
    const response = await fetch('/config.json', { cache: 'no-cache' });
    if (response.ok) config = (await response.json()) as ClientConfig;
  } catch {
    // Unreachable server: the sign-in page says so when it is used.
  }
  root.render(
    <StrictMode>
      <App config={config} />
    </StrictMode>,
  );
}

void start();
