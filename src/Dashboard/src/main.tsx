import { render } from 'preact';
import { App } from './components/App';
import './styles.css';

const root = document.getElementById('app')!;
// The boot message goes: Preact 11 renders next to what a container already holds.
root.textContent = '';
render(<App />, root);
