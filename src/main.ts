import { mount } from 'svelte';
import App from './ui/app/App.svelte';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no element with id "app"');

export default mount(App, { target });
