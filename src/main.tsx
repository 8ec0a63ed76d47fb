import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { startStudio } from './store/actions';
import { installTestHook } from './ui/testHook';
import { parseUrlView, syncUrlWithStore } from './store/urlView';
import { bundledFileOf, openBundledDigit } from './ui/bundledDigits';
import { openFirstImage } from './ui/openingImage';
import './ui/styles.css';

const link = parseUrlView(location.search);
installTestHook();
syncUrlWithStore({ digitOf: bundledFileOf, openDigit: (file) => openBundledDigit(file) });
void startStudio(link.backend ?? 'auto', document.baseURI);
if (!link.digit) void openFirstImage();
createRoot(document.getElementById('root')!).render(<StrictMode><App /></StrictMode>);
