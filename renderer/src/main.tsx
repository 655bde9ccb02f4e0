import './styles.css';

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import type { ApiClient } from '../../shared/api/contract';
import { createApiClient } from './api';
import { App } from './App';
import { describeError } from './lib/format';
import { createAppStore, StoreContext } from './store';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');

let api: ApiClient | undefined;
let failure = '';
try {
  api = createApiClient();
} catch (error) {
  // Browser mode without a token: say what to open instead of showing a blank page.
  failure = describeError(error);
}

createRoot(root).render(
  <StrictMode>
    {api ? (
      <StoreContext.Provider value={createAppStore({ api })}>
        <App />
      </StoreContext.Provider>
    ) : (
      <main className="main">
        <h1>Condense cannot reach its service</h1>
        <p role="alert" className="error-note">
          {failure}
        </p>
      </main>
    )}
  </StrictMode>,
);
