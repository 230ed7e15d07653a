import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import '../../../src/ui/styles.css';

const params = new URLSearchParams(location.search);
const root = createRoot(document.getElementById('root')!);
// `?strict=0` turns StrictMode off so a demo can compare; on by default, as in a new React app.
root.render(params.get('strict') === '0' ? <App /> : <StrictMode><App /></StrictMode>);
