import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { loadClientConfig } from './config';
import './styles.css';

async function start() {
  const root = createRoot(document.getElementById('root') as HTMLElement);
  try {
    const config = await loadClientConfig();
    root.render(
      <StrictMode>
        <App config={config} />
      </StrictMode>,
    );
  } catch (error) {
    // Without its configuration the client cannot reach the API or sign in: say so instead of a blank page.
    root.render(
      <main id="main">
        <h1>Voice Assistant</h1>
        <p className="error" role="alert">
          {error instanceof Error ? error.message : String(error)}
        </p>
      </main>,
    );
  }
}

void start();
