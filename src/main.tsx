import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { startStudio } from './store/actions';
import { installTestHook } from './ui/testHook';
import { syncUrlWithStore } from './ui/urlState';
import type { BackendPreference } from './worker/protocol';
import './ui/styles.css';

const requested = new URLSearchParams(location.search).get('backend');
const preference: BackendPreference = requested === 'webgpu' || requested === 'webgl' || requested === 'wasm' || requested === 'cpu' ? requested : 'auto';
installTestHook();
syncUrlWithStore();
void startStudio(preference, document.baseURI);
createRoot(document.getElementById('root')!).render(<StrictMode><App /></StrictMode>);
