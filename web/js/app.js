// The console's shell: session start, navigation by permission, hash routing.
import { logout, onSession, resume, session } from './api.js';
import { connect, disconnect, onState } from './live.js';
import { h, mount } from './dom.js';
import { loginView } from './views/login.js';
import { workspaceView } from './views/workspace.js';
import { dashboardView } from './views/dashboard.js';
import { usersView } from './views/admin/users.js';
import { rolesView } from './views/admin/roles.js';
import { numbersView } from './views/admin/numbers.js';
import { campaignsView } from './views/admin/campaigns.js';
import { flowsView } from './views/admin/flows.js';
import { importView } from './views/admin/import.js';
import { auditView } from './views/admin/audit.js';

// [hash, label, permission needed, view]
const screens = [
  ['#/workspace', 'Mis chats', 'messages:create', workspaceView],
  ['#/dashboard', 'Supervisión', 'queue:read', dashboardView],
  ['#/admin/users', 'Usuarios', 'users:update', usersView],
  ['#/admin/roles', 'Roles', 'roles:read', rolesView],
  ['#/admin/numbers', 'Números', 'whatsapp:read', numbersView],
  ['#/admin/campaigns', 'Campañas', 'campaigns:update', campaignsView],
  ['#/admin/flows', 'Flujos del bot', 'bot:update', flowsView],
  ['#/admin/import', 'Deudores', 'debtors:create', importView],
  ['#/admin/audit', 'Auditoría', 'audit:read', auditView],
];

const main = document.getElementById('main');
let leave = null; // the current view's cleanup

function allowed() {
  return screens.filter(([, , perm]) => session.can(perm));
}

function home() {
  const list = allowed();
  if (session.user && session.user.role === 'agent') return '#/workspace';
  if (session.can('queue:read')) return '#/dashboard';
  return list.length ? list[0][0] : '#/login';
}

function renderNav() {
  const nav = document.getElementById('nav');
  mount(nav, allowed().map(([hash, label]) =>
    h('a', { href: hash, 'aria-current': location.hash.startsWith(hash) ? 'page' : null }, label)));
  document.getElementById('who').textContent = session.user
    ? `${session.user.fullName} · ${session.user.role}` : '';
}

async function route() {
  if (leave) { try { leave(); } catch (e) { console.error(e); } leave = null; }
  const top = document.getElementById('top');
  if (!session.user) {
    top.hidden = true;
    if (location.hash !== '#/login') history.replaceState(null, '', '#/login');
    leave = loginView(main);
    return;
  }
  top.hidden = false;
  let screen = allowed().find(([hash]) => location.hash.startsWith(hash));
  if (!screen) {
    history.replaceState(null, '', home());
    screen = allowed().find(([hash]) => location.hash.startsWith(hash));
  }
  renderNav();
  if (!screen) {
    mount(main, h('p', { class: 'empty' }, 'Tu rol no tiene pantallas en la consola.'));
    return;
  }
  document.title = `${screen[1]} · CRM de Cobranzas`;
  mount(main, h('p', { class: 'loading' }, 'Cargando…'));
  leave = (await screen[3](main)) || null;
  main.focus({ preventScroll: true });
}

function askNotifications() {
  // Asked once: the browser remembers the answer, and so do we.
  if (!('Notification' in window) || Notification.permission !== 'default') return;
  if (localStorage.getItem('crm.notifyAsked')) return;
  localStorage.setItem('crm.notifyAsked', '1');
  Notification.requestPermission().catch(() => {});
}

onState((state) => {
  const badge = document.getElementById('live');
  badge.className = `badge ${state}`;
  badge.title = state === 'open' ? 'En vivo' : state === 'connecting' ? 'Conectando…' : 'Sin conexión en vivo';
  badge.setAttribute('aria-label', badge.title);
});

let signedIn = false;
onSession((user) => {
  if (user && !signedIn) {
    signedIn = true;
    connect();
    askNotifications();
    if (location.hash === '#/login' || !location.hash) history.replaceState(null, '', home());
    route();
  } else if (!user && signedIn) {
    signedIn = false;
    disconnect();
    route();
  } else if (user) {
    renderNav();
  }
});

document.getElementById('logout').addEventListener('click', () => logout());
window.addEventListener('hashchange', route);

resume().catch(() => null).then((user) => { if (!user) route(); });
