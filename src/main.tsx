import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { startStudio } from './store/actions';
import { installTestHook } from './ui/testHook';
import { parseUrlView, syncUrlWithStore } from './ui/urlState';
import './ui/styles.css';

const preference = parseUrlView(location.search).backend ?? 'auto';
installTestHook();
syncUrlWithStore();
void startStudio(preference, document.baseURI);
createRoot(document.getElementById('root')!).render(<StrictMode><App /></StrictMode>);
