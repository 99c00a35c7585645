// End-to-end tests of the web console in a real browser (Debian's Chromium, driven by
// playwright-core) against the real server, its own PostgreSQL database and a local stand-in
// for Meta's Graph API. The scenario of issue 9: an agent logs in, goes available, receives
// chats created by signed webhooks live, replies (the legal phrase check first), sees the
// delivered and read ticks after status webhooks, adds a note, creates a task whose reminder
// arrives live, registers a promise that closes the chat and closes another with an outcome; a
// supervisor sees the agent's status and the queue move live, transfers a chat, reads any
// conversation and the day's report charts. Also the login with a 2FA code, and logout. And a
// super admin's pass over every admin screen (users, roles, numbers, campaigns and their
// outbound runs, bot flows, debtor import/export, audit), one real action each, checked
// through the UI and the API, with no console errors or CSP violations.
//
// Environment (scripts/test exports it): CRM_SERVER_BIN, CRM_TEST_DATABASE_URL,
// CRM_TEST_REDIS_URL, CRM_TEST_PG_BIN; optional CHROMIUM_BIN (default /usr/bin/chromium).
// Screenshots of the main screens go to tests/browser/screenshots/ (gitignored).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const { chromium } = await import('playwright-core').catch(() => {
  throw new Error('playwright-core is not installed: run ./scripts/install (it runs npm ci --prefix tests/browser)');
});

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const SHOTS = path.join(HERE, 'screenshots');
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const WAIT = 15000; // the longest any UI state may take to appear

const APP_SECRET = 'browser-test-app-secret';
const VERIFY_TOKEN = 'browser-test-verify-token';
const PHONE_NUMBER_ID = '109876543210777';
const ADMIN = { email: 'admin@cobranzas.test', password: 'Admin-Clave-2024!' };
const PASSWORD = 'Gestor-Clave-2024!';

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run through ./scripts/test, which exports it (see scripts/test)`);
  return v;
}

const env = {
  server: need('CRM_SERVER_BIN'),
  databaseUrl: need('CRM_TEST_DATABASE_URL'),
  redisUrl: need('CRM_TEST_REDIS_URL'),
  pgBin: need('CRM_TEST_PG_BIN'),
};

// -- helpers ------------------------------------------------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it returns a truthy value; throws `what` with the last value seen. */
async function eventually(what, fn, timeout = WAIT) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e.message;
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** Waits for a locator to be visible, naming the UI state in the error. */
async function see(locator, what, timeout = WAIT) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch (e) {
    throw new Error(`the console did not show ${what}: ${e.message.split('\n')[0]}`);
  }
  return locator.first();
}

async function gone(locator, what, timeout = WAIT) {
  try {
    await locator.first().waitFor({ state: 'detached', timeout });
  } catch (e) {
    throw new Error(`the console still shows ${what}: ${e.message.split('\n')[0]}`);
  }
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) from a base32 secret. */
function totp(secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = crypto.createHmac('sha1', key).update(counter).digest();
  const o = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1e6).padStart(6, '0');
}

// -- the Graph API stand-in ---------------------------------------------------------------

function startGraph() {
  const sent = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const m = req.url.match(/^(?:\/[^/]+)*\/(\d+)\/messages$/);
      if (req.method === 'POST' && m) {
        const id = `wamid.BROWSER${String(++n).padStart(4, '0')}`;
        let json = {};
        try { json = JSON.parse(body); } catch { /* recorded as sent anyway */ }
        sent.push({ id, phoneNumberId: m[1], auth: req.headers.authorization, body: json });
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: json.to, wa_id: json.to }], messages: [{ id }] }));
        return;
      }
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'not in the stand-in', code: 100 } }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () =>
    resolve({ server, sent, url: `http://127.0.0.1:${server.address().port}/v21.0` })));
}

// -- the server under test ----------------------------------------------------------------

const ctx = {};

async function call(method, target, body, token, headers = {}) {
  const res = await fetch(`${ctx.base}${target}`, {
    method,
    headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = text; }
  return { status: res.status, json };
}

async function ok(method, target, body, token, expected = [200, 201]) {
  const r = await call(method, target, body, token);
  if (!expected.includes(r.status))
    throw new Error(`${method} ${target} answered ${r.status}: ${JSON.stringify(r.json)}`);
  return r.json;
}

async function tokenOf(email, password = PASSWORD) {
  return (await ok('POST', '/api/v1/auth/login', { email, password })).accessToken;
}

function signed(payload) {
  const raw = JSON.stringify(payload);
  const sig = crypto.createHmac('sha256', APP_SECRET).update(raw, 'utf8').digest('hex');
  return call('POST', '/api/v1/webhooks/meta', raw, null, { 'X-Hub-Signature-256': `sha256=${sig}` });
}

function envelope(value) {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '573000000777', phone_number_id: PHONE_NUMBER_ID },
      ...value,
    } }] }],
  };
}

let wamidSeq = 0;
async function debtorWrites(from, name, text) {
  const id = `wamid.IN${Date.now()}${++wamidSeq}`;
  const r = await signed(envelope({
    contacts: [{ profile: { name }, wa_id: from }],
    messages: [{ from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }],
  }));
  assert.equal(r.status, 200, `the signed webhook was refused: ${JSON.stringify(r.json)}`);
  return id;
}

async function statusArrives(wamid, status, recipient) {
  const r = await signed(envelope({
    statuses: [{ id: wamid, status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: recipient }],
  }));
  assert.equal(r.status, 200, `the status webhook was refused: ${JSON.stringify(r.json)}`);
}

async function startServer() {
  ctx.tmp = fs.mkdtempSync(path.join(process.env.CRM_TEST_TMP || os.tmpdir(), 'crm-browser-'));
  const config = path.join(ctx.tmp, 'empty.json');
  fs.writeFileSync(config, '{}');
  ctx.logPath = path.join(ctx.tmp, 'server.log');
  ctx.dbName = `crm_browser_${process.pid}_${Date.now()}`;
  execFileSync(path.join(env.pgBin, 'psql'), [env.databaseUrl, '-qc', `create database ${ctx.dbName}`], { stdio: 'pipe' });
  const dbUrl = new URL(env.databaseUrl);
  dbUrl.pathname = `/${ctx.dbName}`;
  ctx.graph = await startGraph();
  ctx.port = await freePort();
  ctx.base = `http://127.0.0.1:${ctx.port}`;
  // Ours, without any CRM_* of the caller (never the developer's settings).
  const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CRM_')));
  Object.assign(childEnv, {
    CRM_CONFIG: config,
    CRM_HTTP_ADDRESS: '127.0.0.1',
    CRM_HTTP_PORT: String(ctx.port),
    CRM_DATABASE_URL: dbUrl.toString(),
    CRM_REDIS_URL: env.redisUrl,
    CRM_JWT_SECRET: 'browser-test-jwt-secret-0123456789abcdef0123',
    CRM_ADMIN_EMAIL: ADMIN.email,
    CRM_ADMIN_PASSWORD: ADMIN.password,
    CRM_META_APP_SECRET: APP_SECRET,
    CRM_META_VERIFY_TOKEN: VERIFY_TOKEN,
    CRM_META_GRAPH_URL: ctx.graph.url,
    CRM_WEB_ROOT: path.join(ROOT, 'web'),
    CRM_API_DOCS_ROOT: path.join(ROOT, 'vendor/swagger-ui/node_modules/swagger-ui-dist'),
    CRM_DATABASE_POOL_SIZE: '3',
    CRM_DATABASE_WRITERS: '1',
    CRM_WHATSAPP_RETRY_BASE_MS: '100',
    CRM_STATS_INTERVAL_SECONDS: '2',
    CRM_SCHEDULER_TICK_SECONDS: '1',
    CRM_LOG_LEVEL: 'info',
  });
  const log = fs.openSync(ctx.logPath, 'a');
  ctx.server = spawn(env.server, [], { env: childEnv, stdio: ['ignore', log, log] });
  ctx.exited = new Promise((resolve) => ctx.server.on('exit', (code, signal) => resolve({ code, signal })));
  let down = null;
  ctx.exited.then((x) => { down = x; });
  await eventually('GET /readyz to answer 200', async () => {
    if (down) throw new Error(`the server exited (${JSON.stringify(down)}):\n${serverLog()}`);
    const r = await fetch(`${ctx.base}/readyz`).catch(() => null);
    return r && r.status === 200;
  }, 30000);
}

function serverLog(lines = 40) {
  try {
    return fs.readFileSync(ctx.logPath, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

async function stopServer() {
  if (ctx.server && ctx.server.exitCode === null) {
    ctx.server.kill('SIGTERM');
    const killed = await Promise.race([ctx.exited, sleep(10000).then(() => null)]);
    if (!killed) { ctx.server.kill('SIGKILL'); await ctx.exited; }
  }
  if (ctx.graph) await new Promise((r) => { ctx.graph.server.closeAllConnections?.(); ctx.graph.server.close(r); });
  if (ctx.dbName) {
    try {
      execFileSync(path.join(env.pgBin, 'psql'), [env.databaseUrl, '-qc', `drop database if exists ${ctx.dbName} with (force)`], { stdio: 'pipe' });
    } catch (e) {
      console.error(`could not drop ${ctx.dbName}: ${e.message}`);
    }
  }
  // The server log stays for a failed run (or when asked: CRM_BROWSER_KEEP=1).
  if (ctx.tmp && !process.exitCode && !process.env.CRM_BROWSER_KEEP) fs.rmSync(ctx.tmp, { recursive: true, force: true });
  else if (ctx.tmp) console.log(`server log kept in ${ctx.logPath}`);
}

// -- the browser ----------------------------------------------------------------------------

// Records desktop notifications and beeps, so the test can tell that they happened.
function recordAlerts() {
  window.__notifications = [];
  window.__beeps = 0;
  class RecordedNotification {
    constructor(title, options) { window.__notifications.push({ title, body: options && options.body }); }
    static get permission() { return 'granted'; }
    static requestPermission() { return Promise.resolve('granted'); }
    close() {}
  }
  window.Notification = RecordedNotification;
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) { window.__beeps += 1; return start.apply(this, args); };
}

async function newPage(name) {
  const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'es-CO', timezoneId: 'America/Bogota' });
  await context.addInitScript(recordAlerts);
  const page = await context.newPage();
  page.on('pageerror', (e) => ctx.pageErrors.push(`${name}: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') ctx.consoleErrors.push(`${name}: ${m.text()}`); });
  ctx.pages[name] = page;
  return page;
}

async function signIn(page, email, password = PASSWORD) {
  await page.goto(`${ctx.base}/`);
  await see(page.getByLabel('Correo'), 'the login form');
  await page.getByLabel('Correo').fill(email);
  await page.getByLabel('Contraseña').fill(password);
  await page.getByRole('button', { name: 'Ingresar' }).click();
}

async function shot(page, name, fullPage = false) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

// -- fixture ----------------------------------------------------------------------------------

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: ./scripts/install installs Debian's chromium`);
  await startServer();
  const admin = await tokenOf(ADMIN.email, ADMIN.password);
  ctx.admin = admin;
  const campaign = await ok('POST', '/api/v1/campaigns', { name: 'Mora 30-120', strategy: 'least_busy' }, admin);
  ctx.campaign = campaign;
  await ok('POST', '/api/v1/whatsapp/numbers', {
    name: 'Línea cobranzas', phoneNumber: '+573000000777', provider: 'meta', campaignId: campaign.id,
    meta: { phoneNumberId: PHONE_NUMBER_ID, accessToken: 'EAAG-browser-test' },
  }, admin);
  const user = (email, fullName, role) => ok('POST', '/api/v1/users', {
    email, fullName, role, password: PASSWORD, maxConcurrentChats: 4,
    ...(role === 'agent' ? { campaignIds: [campaign.id] } : {}),
  }, admin);
  ctx.laura = await user('laura@cobranzas.test', 'Laura Gómez', 'agent');
  ctx.andres = await user('andres@cobranzas.test', 'Andrés Ruiz', 'agent');
  ctx.jorge = await user('jorge@cobranzas.test', 'Jorge Supervisor', 'supervisor');
  ctx.paula = await user('paula@cobranzas.test', 'Paula Díaz', 'supervisor');
  ctx.maria = await ok('POST', '/api/v1/debtors', {
    fullName: 'María Fernanda López', documentType: 'CC', documentNumber: '1010101010',
    phones: ['+573001112233'], debtAmount: 1250000, currency: 'COP', daysOverdue: 45, tags: ['tarjeta'],
  }, admin);
  await ok('POST', '/api/v1/quick-replies', {
    shortcut: '/saldo', title: 'Saldo pendiente', body: 'Hola {{clientName}}, su saldo pendiente es de {{debtAmount}} pesos.',
  }, admin);
  ctx.carlos = await ok('POST', '/api/v1/debtors', {
    fullName: 'Carlos Pérez', documentType: 'CC', documentNumber: '2020202020',
    phones: ['+573004445566'], debtAmount: 3400000, currency: 'COP', daysOverdue: 120,
  }, admin);
  ctx.browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--autoplay-policy=no-user-gesture-required'],
  });
  ctx.pages = {};
  ctx.pageErrors = [];
  ctx.consoleErrors = [];
});

after(async () => {
  if (ctx.browser) await ctx.browser.close().catch(() => {});
  await stopServer();
});

/** Runs one step; on failure saves every page's screenshot and the server log's tail. */
async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    for (const [who, page] of Object.entries(ctx.pages || {}))
      await shot(page, `failure-${who}`, true).catch(() => {});
    const errors = [...ctx.pageErrors, ...ctx.consoleErrors];
    e.message = `step "${name}": ${e.message}${errors.length ? `\nbrowser errors:\n${errors.join('\n')}` : ''}\nserver log:\n${serverLog(25)}`;
    throw e;
  }
}

// -- the scenario -----------------------------------------------------------------------------

test('an agent works chats live while a supervisor watches and transfers', { timeout: 240000 }, async () => {
  const sup = await newPage('supervisor');
  const agent = await newPage('agent');
  let mariaChat, carlosChat, replyWamid;

  await step('the supervisor signs in and sees the dashboard', async () => {
    await signIn(sup, 'jorge@cobranzas.test');
    await see(sup.getByRole('heading', { name: 'Supervisión en vivo' }), 'the dashboard');
    await see(sup.locator(`#agents tr[data-agent-id="${ctx.laura.id}"] [data-status="offline"]`), 'Laura as offline');
    await see(sup.locator('#queue').getByText('La cola está vacía.'), 'an empty queue');
  });

  await step('a debtor writes while nobody is available: the queue grows live', async () => {
    await debtorWrites('573001112233', 'María Fernanda López', 'Hola, quiero ponerme al día con mi deuda');
    mariaChat = await eventually('the chat of María in the API', async () => {
      const r = await ok('GET', '/api/v1/chats?status=queued', undefined, ctx.admin);
      return r.items.find((c) => c.debtorPhone.endsWith('3001112233'));
    });
    await see(sup.locator(`#queue tr[data-chat-id="${mariaChat.id}"]`), 'the queued chat in the queue table');
    await see(sup.locator('#kpi-queue .value').getByText('1', { exact: true }), 'the queue counter at 1');
    await shot(sup, 'dashboard-queue');
  });

  await step('the agent signs in through the login page', async () => {
    await agent.goto(`${ctx.base}/`);
    await see(agent.getByLabel('Correo'), 'the login form');
    await shot(agent, 'login');
    await signIn(agent, 'laura@cobranzas.test');
    await see(agent.getByRole('heading', { name: 'Mis chats' }), 'the workspace');
    await see(agent.locator('#my-status[data-status="offline"]'), 'the agent as offline');
    await see(agent.locator('#live.open'), 'the live connection as open');
  });

  await step('the agent goes available: the supervisor sees it, the queue drains, the chat arrives live', async () => {
    await agent.locator('.seg-btn[data-status="available"]').click();
    await see(agent.locator('#my-status[data-status="available"]'), 'the agent as available');
    await see(sup.locator(`#agents tr[data-agent-id="${ctx.laura.id}"] [data-status="available"]`), 'Laura as available on the dashboard');
    await see(agent.locator(`.chat-item[data-chat-id="${mariaChat.id}"]`), 'the assigned chat in the agent list');
    await see(sup.locator('#queue').getByText('La cola está vacía.'), 'the queue empty again');
    await see(sup.locator('#kpi-queue .value').getByText('0', { exact: true }), 'the queue counter at 0');
    await see(sup.locator(`#in-progress tr[data-chat-id="${mariaChat.id}"]`).getByText('Laura Gómez'), 'the chat in progress with Laura');
    const alerts = await eventually('a notification of the assignment', () => agent.evaluate(() =>
      window.__notifications.some((n) => n.title === 'Nuevo chat asignado') && window.__beeps > 0));
    assert.ok(alerts);
  });

  await step('a second debtor writes: the chat appears live with its priority', async () => {
    await debtorWrites('573004445566', 'Carlos', 'Buenas, me llegó un mensaje de cobro');
    const item = await see(agent.locator('.chat-item').filter({ hasText: 'Carlos' }), 'the second chat appearing live');
    carlosChat = { id: await item.getAttribute('data-chat-id') };
    await see(item.locator('.pill.prio-URGENTE'), 'the URGENTE priority of a 120-day debt');
    await see(item.locator('.unread'), 'the unread count');
  });

  await step('the agent opens the conversation and sees the debtor panel', async () => {
    await agent.locator(`.chat-item[data-chat-id="${mariaChat.id}"]`).click();
    await see(agent.locator('.messages .msg.in').getByText('Hola, quiero ponerme al día con mi deuda'), 'the inbound message');
    await see(agent.locator('#debtor-name').getByText('María Fernanda López'), 'the debtor name');
    await see(agent.locator('#debtor-days').getByText('45', { exact: true }), 'the days overdue');
    await see(agent.locator('.window-info[data-window="open"]'), 'the 24 h window as open');
  });

  await step('a forbidden question is flagged and not sent', async () => {
    const box = agent.getByLabel('Mensaje', { exact: true });
    await box.fill('Señora María, ¿por qué no ha pagado su cuota?');
    await see(agent.locator('.compliance').getByText('La ley prohíbe preguntar'), 'the legal warning while typing');
    await agent.getByRole('button', { name: 'Enviar' }).click();
    await see(agent.getByText('Corrige el mensaje antes de enviarlo.'), 'the refusal to send');
    assert.equal(ctx.graph.sent.length, 0, 'nothing may reach WhatsApp');
  });

  await step('the agent replies and sees the sent, delivered and read ticks', async () => {
    const box = agent.getByLabel('Mensaje', { exact: true });
    await box.fill('');
    await agent.locator('select[name="quickReply"] option', { hasText: '/saldo' }).waitFor({ state: 'attached', timeout: WAIT })
      .catch((e) => { throw new Error(`the console did not list the quick replies: ${e.message.split('\n')[0]}`); });
    await agent.getByLabel('Respuesta rápida').selectOption({ label: '/saldo · Saldo pendiente' });
    await eventually('the quick reply rendered with the debtor data', async () =>
      (await box.inputValue()).includes('Hola María Fernanda López, su saldo pendiente es de 1250000'));
    const reply = 'Hola María, le podemos ofrecer un acuerdo de pago en cuotas.';
    await box.fill(reply);
    await box.press('Enter');
    const mine = agent.locator('.messages .msg.out').filter({ hasText: reply });
    await see(mine, 'the reply in the conversation');
    await see(mine.locator('.tick[data-status="sent"]'), 'the sent tick (✓)');
    const out = await eventually('the reply at the Graph stand-in', () => ctx.graph.sent.find((s) => s.body.text && s.body.text.body === reply));
    assert.equal(out.body.to.replace(/\D/g, ''), '573001112233');
    assert.equal(out.auth, 'Bearer EAAG-browser-test');
    replyWamid = out.id;
    await statusArrives(replyWamid, 'delivered', '573001112233');
    await see(mine.locator('.tick[data-status="delivered"]').getByText('✓✓'), 'the delivered tick (✓✓)');
    await shot(agent, 'workspace-delivered');
    await statusArrives(replyWamid, 'read', '573001112233');
    await see(mine.locator('.tick.tick-read[data-status="read"]'), 'the blue read tick');
  });

  await step('the agent adds a note', async () => {
    await agent.getByLabel('Nueva nota').fill('Acepta pagar en dos cuotas; confirmar el viernes.');
    await agent.getByRole('button', { name: 'Agregar nota' }).click();
    await see(agent.locator('#notes').getByText('Acepta pagar en dos cuotas'), 'the new note');
  });

  await step('the agent creates a follow-up task and its reminder arrives live', async () => {
    await agent.getByRole('button', { name: 'Crear tarea' }).click();
    const dlg = await see(agent.getByRole('dialog', { name: 'Crear tarea de seguimiento' }), 'the task dialog');
    await dlg.getByLabel('Título').fill('Llamar a María para confirmar la primera cuota');
    // Due in 5 minutes, Bogotá time (UTC-5, no DST): inside the reminder lead of 10 minutes.
    const due = new Date(Date.now() + 5 * 60000 - 5 * 3600000).toISOString().slice(0, 16);
    await dlg.getByLabel('Vence').fill(due);
    await dlg.getByRole('button', { name: 'Crear tarea' }).click();
    await gone(agent.getByRole('dialog'), 'the task dialog');
    const tasks = await ok('GET', `/api/v1/tasks?agentId=${ctx.laura.id}`, undefined, ctx.admin);
    assert.ok(tasks.items.some((t) => t.title === 'Llamar a María para confirmar la primera cuota' && t.chatId === mariaChat.id),
      `the task is stored with its chat: ${JSON.stringify(tasks.items)}`);
    await see(agent.getByText('Recordatorio: Llamar a María para confirmar la primera cuota'), 'the reminder toast');
    await eventually('a desktop notification of the reminder', () => agent.evaluate(() =>
      window.__notifications.some((n) => n.title === 'Recordatorio de tarea' && /Llamar a María/.test(n.body))));
  });

  await step('the agent registers a promise, which closes the chat', async () => {
    await agent.getByRole('button', { name: 'Registrar promesa' }).click();
    const dlg = await see(agent.getByRole('dialog', { name: 'Registrar promesa de pago' }), 'the promise dialog');
    await dlg.getByLabel('Monto prometido').fill('500000');
    await shot(agent, 'promise-dialog');
    await dlg.getByRole('checkbox', { name: /Cerrar el chat/ }).check();
    await dlg.getByRole('button', { name: 'Registrar' }).click();
    await gone(agent.getByRole('dialog'), 'the promise dialog');
    await gone(agent.locator(`.chat-item[data-chat-id="${mariaChat.id}"]`), 'the closed chat in the list');
    await see(agent.getByText('Chat cerrado: Promesa de pago.'), 'the conversation as closed');
    await see(agent.locator('#promises').getByText('500.000'), 'the promise in the debtor panel');
    await see(agent.locator('#debtor-status[data-status="promise"]'), 'the debtor status as promise');
    const chat = await ok('GET', `/api/v1/chats/${mariaChat.id}`, undefined, ctx.admin);
    assert.equal(chat.status, 'closed');
    assert.equal(chat.outcome, 'promise');
    const promises = await ok('GET', `/api/v1/debtors/${ctx.maria.id}/promises`, undefined, ctx.admin);
    assert.equal(promises.items.length, 1, 'exactly one promise is recorded');
    assert.equal(Number(promises.items[0].amount), 500000);
  });

  await step('the supervisor transfers the other chat to a second agent', async () => {
    const andres = await tokenOf('andres@cobranzas.test');
    await ok('PATCH', '/api/v1/users/me/status', { status: 'available' }, andres);
    await see(sup.locator(`#agents tr[data-agent-id="${ctx.andres.id}"] [data-status="available"]`), 'Andrés as available');
    await gone(sup.locator(`#in-progress tr[data-chat-id="${mariaChat.id}"]`), 'the closed chat among the chats in progress');
    const row = await see(sup.locator(`#in-progress tr[data-chat-id="${carlosChat.id}"]`), 'the chat of Carlos in progress');
    await shot(sup, 'dashboard', true);
    await row.getByRole('button', { name: 'Transferir' }).click();
    const dlg = await see(sup.getByRole('dialog', { name: /Transferir chat/ }), 'the transfer dialog');
    await dlg.getByLabel('Transferir a').selectOption(ctx.andres.id);
    await dlg.getByLabel('Motivo').fill('El deudor pide hablar con otro gestor');
    await dlg.getByRole('button', { name: 'Transferir' }).click();
    await gone(sup.getByRole('dialog'), 'the transfer dialog');
    await gone(agent.locator(`.chat-item[data-chat-id="${carlosChat.id}"]`), 'the transferred chat in the agent list');
    await see(sup.locator(`#in-progress tr[data-chat-id="${carlosChat.id}"]`).getByText('Andrés Ruiz'), 'the chat with Andrés');
    const chat = await ok('GET', `/api/v1/chats/${carlosChat.id}`, undefined, ctx.admin);
    assert.equal(chat.agentId, ctx.andres.id);
  });

  await step('the supervisor reads any conversation from the dashboard', async () => {
    await sup.locator(`#in-progress tr[data-chat-id="${carlosChat.id}"]`).getByRole('link', { name: 'Ver conversación' }).click();
    await see(sup.locator('.messages .msg.in').getByText('Buenas, me llegó un mensaje de cobro'), 'the conversation of another agent');
    await see(sup.locator('#convo-title'), 'the conversation title');
    await see(sup.getByRole('button', { name: 'Reasignar' }), 'the reassign action');
    await shot(sup, 'supervisor-reads-chat');
  });

  await step('a chat without a debtor is closed with an outcome', async () => {
    await debtorWrites('573009998877', 'Número desconocido', '¿Quién habla?');
    const item = await see(agent.locator('.chat-item').filter({ hasText: 'Número desconocido' }), 'the third chat');
    await item.click();
    await see(agent.getByText('Este número no está vinculado a ningún deudor.'), 'the panel without a debtor');
    await agent.getByRole('button', { name: 'Cerrar chat' }).click();
    const dlg = await see(agent.getByRole('dialog', { name: /Cerrar chat/ }), 'the close dialog');
    await dlg.getByLabel('Resultado de la gestión').selectOption('wrong_number');
    await dlg.getByRole('button', { name: 'Cerrar chat' }).click();
    await gone(agent.getByRole('dialog'), 'the close dialog');
    await see(agent.getByText('Chat cerrado: Número equivocado.'), 'the conversation closed as wrong number');
    await gone(item, 'the closed chat in the list');
    await see(agent.getByText('No tienes chats asignados.'), 'an empty chat list');
    await shot(agent, 'workspace-closed');
  });

  await step('the supervisor reads the reports of the day', async () => {
    await sup.getByRole('link', { name: 'Supervisión' }).click();
    await see(sup.getByRole('heading', { name: 'Supervisión en vivo' }), 'the dashboard again');
    await sup.getByRole('button', { name: 'Actualizar' }).click();
    await see(sup.locator('figure.chart figcaption').getByText('Tendencia diaria'), 'the trends chart');
    await see(sup.locator('figure.chart', { hasText: 'TMR' }).locator('rect.bar', { hasText: 'Laura Gómez' }), 'the TMR bar of Laura (she answered)');
    await see(sup.locator('figure.chart', { hasText: 'Efectividad' }).locator('rect.bar', { hasText: 'Laura Gómez' }), 'the effectiveness bar of Laura');
    await sup.getByLabel('Indicador').selectOption('effectiveness');
    await see(sup.locator('#ranking tr', { hasText: 'Laura Gómez' }).getByText('%'), 'Laura ranked by effectiveness');
    await shot(sup, 'dashboard-reports', true);
  });

  assert.deepEqual(ctx.pageErrors, [], 'no uncaught errors in the pages');
});

test('a user with 2FA signs in with the code of the authenticator', { timeout: 120000 }, async () => {
  const page = await newPage('twofactor');
  await step('2FA is enrolled through the API', async () => {
    const token = await tokenOf('paula@cobranzas.test');
    const setup = await ok('POST', '/api/v1/auth/2fa/setup', {}, token);
    assert.match(setup.otpauthUrl, /^otpauth:\/\/totp\//);
    ctx.paulaSecret = setup.secret;
    await ok('POST', '/api/v1/auth/2fa/enable', { code: totp(setup.secret) }, token, [200, 201, 204]);
  });

  await step('the login asks for the code, refuses a wrong one and accepts the right one', async () => {
    await signIn(page, 'paula@cobranzas.test');
    const code = await see(page.getByLabel('Código 2FA'), 'the 2FA code step');
    await shot(page, 'login-2fa');
    await code.fill('000000');
    await page.getByRole('button', { name: 'Verificar' }).click();
    await see(page.getByText('El código no es válido o ya se usó.'), 'the refusal of a wrong code');
    // The next period's code: the one used to enrol is spent (codes are single-use).
    await page.getByLabel('Código 2FA').fill(totp(ctx.paulaSecret, Date.now() + 30000));
    await page.getByRole('button', { name: 'Verificar' }).click();
    await see(page.getByRole('heading', { name: 'Supervisión en vivo' }), 'the dashboard after the 2FA login');
    await see(page.locator('#who').getByText('Paula Díaz'), 'the signed-in user');
  });

  await step('logout returns to the login page and forgets the session', async () => {
    await page.getByRole('button', { name: 'Salir' }).click();
    await see(page.getByLabel('Correo'), 'the login form after logout');
    await page.reload();
    await see(page.getByLabel('Correo'), 'the login form after a reload');
  });
});

// -- the administration screens ------------------------------------------------------------

test('a super admin runs one real action on every admin screen', { timeout: 120000 }, async () => {
  const page = await newPage('admin');
  const nav = (name) => page.locator('#nav').getByRole('link', { name, exact: true });
  const toast = (text) => page.locator('#toasts').getByText(text);
  const open = async (link, heading) => {
    await nav(link).click();
    await see(page.getByRole('heading', { name: heading, exact: true }), `the ${heading} screen`);
    await gone(page.locator('#main .loading'), `the loading notice of ${heading}`);
  };
  const secretToken = 'EAAG-admin-secreto-0042';
  // The screens without the notices piled up by the steps before (they would hide the toolbars);
  // dropped from the DOM, since the CSP refuses the style a screenshot option would inject.
  const adminShot = async (name, fullPage = false) => {
    await page.evaluate(() => document.getElementById('toasts')?.replaceChildren());
    await shot(page, name, fullPage);
  };

  await step('the super admin signs in and sees every admin screen in the menu', async () => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await see(page.getByRole('heading', { name: 'Supervisión en vivo' }), 'the dashboard of the super admin');
    for (const link of ['Usuarios', 'Roles', 'Números', 'Campañas', 'Flujos del bot', 'Deudores', 'Auditoría'])
      await see(nav(link), `the ${link} link in the menu`);
  });

  await step('Usuarios: an agent is created through the dialog, listed, then deactivated', async () => {
    await open('Usuarios', 'Usuarios');
    await see(page.locator('#main tr', { hasText: 'laura@cobranzas.test' }), 'the users of the fixture');
    await page.getByRole('button', { name: 'Nuevo usuario' }).click();
    const dlg = await see(page.getByRole('dialog', { name: 'Nuevo usuario' }), 'the new user dialog');
    await dlg.getByLabel('Correo').fill('sofia@cobranzas.test');
    await dlg.getByLabel('Nombre completo').fill('Sofía Castro');
    await dlg.getByLabel('Rol').selectOption('agent');
    await dlg.getByLabel('Contraseña').fill(PASSWORD);
    await dlg.getByLabel('Chats simultáneos máximos').fill('3');
    await dlg.getByLabel('Habilidades').fill('juridico, cartera_castigada');
    await dlg.getByRole('checkbox', { name: 'Mora 30-120' }).check();
    await dlg.getByRole('button', { name: 'Crear' }).click();
    await gone(page.getByRole('dialog'), 'the new user dialog');
    await see(toast('Usuario sofia@cobranzas.test creado'), 'the creation notice');
    const row = await see(page.locator('#main tbody tr', { hasText: 'sofia@cobranzas.test' }), 'the new user in the list');
    await see(row.getByText('Mora 30-120'), 'the campaign of the new user');
    const users = await ok('GET', '/api/v1/users?role=agent&limit=200', undefined, ctx.admin);
    const sofia = users.items.find((u) => u.email === 'sofia@cobranzas.test');
    assert.ok(sofia, 'the user is stored');
    assert.deepEqual([sofia.role, sofia.fullName, sofia.maxConcurrentChats, sofia.isActive], ['agent', 'Sofía Castro', 3, true]);
    assert.deepEqual(sofia.skills, ['juridico', 'cartera_castigada']);
    assert.deepEqual(sofia.campaignIds, [ctx.campaign.id]);
    // Only agents have a status to change (the API has none for other roles).
    const adminRow = page.locator('#main tbody tr', { hasText: ADMIN.email });
    assert.equal(await adminRow.getByRole('combobox').count(), 0, 'no status control for the super admin');
    await row.getByLabel('Cambiar estado de Sofía Castro').selectOption('break');
    await see(toast('Estado de Sofía Castro: En pausa'), 'the status change notice');
    await see(row.locator(`[data-status-of="${sofia.id}"]`).getByText('En pausa'), 'the new status in the list');
    assert.equal((await ok('GET', `/api/v1/users/${sofia.id}`, undefined, ctx.admin)).status, 'break');
    await adminShot('admin-users', true);
    await row.getByRole('button', { name: 'Desactivar' }).click();
    const confirm = await see(page.getByRole('dialog', { name: 'Desactivar usuario' }), 'the confirmation');
    await confirm.getByRole('button', { name: 'Desactivar' }).click();
    await see(toast('Usuario desactivado'), 'the deactivation notice');
    await gone(page.locator('#main tbody tr', { hasText: 'sofia@cobranzas.test' }), 'the deactivated user among the active ones');
    await page.getByLabel('Cuenta').selectOption('false');
    await page.getByRole('button', { name: 'Filtrar' }).click();
    await see(page.locator('#main tbody tr', { hasText: 'sofia@cobranzas.test' }).getByText('(desactivado)'), 'the user as deactivated');
    const after = await ok('GET', `/api/v1/users/${sofia.id}`, undefined, ctx.admin);
    assert.equal(after.isActive, false);
  });

  await step('Roles: a custom role gets a permission ticked in the matrix; system roles are read-only', async () => {
    await open('Roles', 'Roles y permisos');
    const system = await see(page.getByRole('checkbox', { name: 'supervisor: queue:read' }), 'the matrix of the system roles');
    assert.ok(await system.isChecked(), 'the supervisor reads the queue');
    assert.ok(await system.isDisabled(), 'a system role cannot be edited');
    assert.ok(await page.getByRole('checkbox', { name: 'super_admin: audit:read' }).isDisabled());
    await page.getByRole('button', { name: 'Nuevo rol' }).click();
    const dlg = await see(page.getByRole('dialog', { name: 'Nuevo rol' }), 'the new role dialog');
    await dlg.getByLabel('Nombre').fill('gestor_juridico');
    await dlg.getByLabel('Descripción').fill('Gestores de cobro jurídico');
    await dlg.getByRole('button', { name: 'Crear' }).click();
    await gone(page.getByRole('dialog'), 'the new role dialog');
    const row = await see(page.locator('tbody tr', { hasText: 'gestor_juridico' }), 'the new role in the matrix');
    const box = row.getByRole('checkbox', { name: 'gestor_juridico: debtors:read' });
    assert.ok(await box.isEnabled(), 'a custom role is editable');
    assert.ok(!(await box.isChecked()), 'a new role starts without permissions');
    await box.check();
    await row.getByRole('button', { name: 'Guardar' }).click();
    await see(toast('Permisos de gestor_juridico guardados'), 'the saved notice');
    await see(page.locator('tbody tr', { hasText: 'gestor_juridico' }).getByText('1 permiso(s)'), 'the role with one permission');
    const roles = await ok('GET', '/api/v1/roles', undefined, ctx.admin);
    const role = roles.items.find((r) => r.name === 'gestor_juridico');
    assert.deepEqual([role.isSystem, role.description, role.permissions], [false, 'Gestores de cobro jurídico', ['debtors:read']]);
    assert.ok(await page.getByRole('checkbox', { name: 'gestor_juridico: debtors:read' }).isChecked(), 'the matrix shows what was saved');
    await adminShot('admin-roles', true);
  });

  let number;
  await step('Números: a Meta number is created and listed; its token is never shown back', async () => {
    await open('Números', 'Números de WhatsApp');
    await page.getByRole('button', { name: 'Nuevo número' }).click();
    const dlg = await see(page.getByRole('dialog', { name: 'Nuevo número de WhatsApp' }), 'the new number dialog');
    await dlg.getByLabel('Nombre').fill('Cartera Bogotá 2');
    await dlg.getByLabel('Número (E.164)').fill('+573000000888');
    await dlg.getByLabel('Proveedor').selectOption('meta');
    await dlg.getByLabel('Phone number ID').fill('109876543210888');
    await dlg.getByLabel('Token de acceso').fill(secretToken);
    await dlg.getByRole('button', { name: 'Crear' }).click();
    await gone(page.getByRole('dialog'), 'the new number dialog');
    await see(toast('Número +573000000888 creado'), 'the creation notice with the webhook');
    const row = await see(page.locator('#main tbody tr', { hasText: 'Cartera Bogotá 2' }), 'the new number in the list');
    await see(row.getByText('Meta Cloud API'), 'its provider');
    await see(row.getByText('Guardadas'), 'its credentials as stored');
    const numbers = await ok('GET', '/api/v1/whatsapp/numbers', undefined, ctx.admin);
    number = numbers.items.find((n) => n.phoneNumber === '+573000000888');
    assert.equal(number.meta.phoneNumberId, '109876543210888');
    assert.equal(number.hasCredentials, true);
    assert.ok(!JSON.stringify(numbers).includes(secretToken), 'the API never returns the token');
    assert.ok(!(await page.content()).includes(secretToken), 'the page never shows the token');
    await adminShot('admin-numbers');
    await row.getByRole('button', { name: 'Editar' }).click();
    const edit = await see(page.getByRole('dialog', { name: 'Editar: Cartera Bogotá 2' }), 'the edit dialog');
    assert.equal(await edit.getByLabel('Phone number ID').inputValue(), '109876543210888');
    assert.equal(await edit.getByLabel('Token de acceso').inputValue(), '', 'the edit form leaves the token empty');
    await see(edit.getByText(`${ctx.base}/api/v1/webhooks/meta`), 'the webhook URL of the number');
    await edit.getByRole('button', { name: 'Cancelar' }).click();
    await gone(page.getByRole('dialog'), 'the edit dialog');
  });

  await step('Campañas: a campaign with strategy and business hours is created; its outbound runs open', async () => {
    await open('Campañas', 'Campañas');
    await see(page.locator('#main tbody tr', { hasText: 'Mora 30-120' }), 'the campaign of the fixture');
    await page.getByRole('button', { name: 'Nueva campaña' }).click();
    const dlg = await see(page.getByRole('dialog', { name: 'Nueva campaña' }), 'the new campaign dialog');
    await dlg.getByLabel('Nombre', { exact: true }).fill('Cartera castigada');
    await dlg.getByLabel('Estrategia de asignación').selectOption('round_robin');
    await dlg.getByLabel('Máximo de chats por gestor').fill('4');
    await dlg.getByLabel('Descripción').fill('Deudas de más de 180 días');
    await dlg.getByRole('checkbox', { name: /Cartera Bogotá 2/ }).check();
    const agents = dlg.getByRole('group', { name: 'Gestores' });
    assert.equal(await agents.getByRole('checkbox', { name: /Jorge Supervisor|Sofía Castro/ }).count(), 0,
      'only active agents are offered as the campaign\'s agents');
    await agents.getByRole('checkbox', { name: 'Laura Gómez' }).check();
    const hours = dlg.getByRole('group', { name: 'Horario de atención' });
    for (const day of ['Lunes', 'Martes', 'Miércoles', 'Jueves', 'Viernes']) await hours.getByLabel(day).fill('08:00-18:00');
    await hours.getByLabel('Sábado').fill('08:00-12:00');
    await dlg.getByRole('button', { name: 'Crear' }).click();
    await gone(page.getByRole('dialog'), 'the new campaign dialog');
    const row = await see(page.locator('#main tbody tr', { hasText: 'Cartera castigada' }), 'the new campaign in the list');
    await see(row.getByText('Rotación (round robin)'), 'its strategy');
    await see(row.getByText('Cartera Bogotá 2'), 'its number');
    const campaigns = await ok('GET', '/api/v1/campaigns', undefined, ctx.admin);
    const c = campaigns.items.find((x) => x.name === 'Cartera castigada');
    assert.equal(c.strategy, 'round_robin');
    assert.equal(c.maxChatsPerAgent, 4);
    assert.deepEqual(c.businessHours, {
      mon: '08:00-18:00', tue: '08:00-18:00', wed: '08:00-18:00', thu: '08:00-18:00', fri: '08:00-18:00', sat: '08:00-12:00', sun: null,
    });
    assert.equal(c.contactWindows, null, 'the legal contact windows by default');
    assert.deepEqual(c.numberIds, [number.id]);
    assert.deepEqual(c.agentIds, [ctx.laura.id]);

    await row.getByRole('button', { name: 'Envíos' }).click();
    const panel = await see(page.getByRole('region', { name: 'Envíos masivos: Cartera castigada' }), 'the outbound runs panel');
    await see(panel.getByText('Esta campaña no tiene envíos.'), 'no runs yet');
    await panel.getByRole('button', { name: 'Nuevo envío' }).click();
    const run = await see(page.getByRole('dialog', { name: 'Nuevo envío: Cartera castigada' }), 'the new run dialog');
    await run.getByLabel('Nombre de la plantilla').fill('recordatorio_pago');
    await run.getByLabel('Etiquetas').fill('sin-deudores');
    await run.getByRole('button', { name: 'Iniciar envío' }).click();
    const confirm = await see(page.getByRole('dialog', { name: 'Confirmar envío' }), 'the confirmation of the run');
    await see(confirm.getByText('etiquetas sin-deudores'), 'the segment in the confirmation');
    await confirm.getByRole('button', { name: 'Iniciar' }).click();
    await gone(page.getByRole('dialog'), 'the run dialogs');
    await see(toast('Ningún deudor cumple los filtros'), 'the notice of an empty segment');
    const runRow = await see(panel.locator('tbody tr', { hasText: 'recordatorio_pago (es)' }), 'the run in the panel');
    await see(runRow.getByText('Terminado'), 'the run as finished');
    const runs = await ok('GET', `/api/v1/campaigns/${c.id}/outbound`, undefined, ctx.admin);
    assert.equal(runs.items.length, 1);
    assert.deepEqual([runs.items[0].status, runs.items[0].total, runs.items[0].filters], ['finished', 0, { tags: ['sin-deudores'] }]);
    await adminShot('admin-campaigns', true);
    await panel.getByRole('button', { name: 'Cerrar' }).click();
    await gone(page.getByRole('region', { name: /Envíos masivos/ }), 'the outbound runs panel');

    // Saving a campaign untouched keeps what it had: no hours stay "always open" (not closed
    // all week) and a deactivated agent keeps the link.
    const before = await ok('GET', `/api/v1/campaigns/${ctx.campaign.id}`, undefined, ctx.admin);
    assert.deepEqual(before.businessHours, {});
    await page.locator('#main tbody tr', { hasText: 'Mora 30-120' }).getByRole('button', { name: 'Editar' }).click();
    const edit = await see(page.getByRole('dialog', { name: 'Editar: Mora 30-120' }), 'the edit dialog');
    await see(edit.getByRole('checkbox', { name: 'Sofía Castro (desactivado)', checked: true }), 'the deactivated agent still linked');
    await edit.getByRole('button', { name: 'Guardar' }).click();
    await gone(page.getByRole('dialog'), 'the edit dialog');
    await see(toast('Campaña guardada'), 'the saved notice');
    const again = await ok('GET', `/api/v1/campaigns/${ctx.campaign.id}`, undefined, ctx.admin);
    assert.deepEqual(again.businessHours, {}, 'a campaign without hours stays always open');
    assert.deepEqual([...again.agentIds].sort(), [...before.agentIds].sort(), 'the agents of the campaign are kept');
    assert.deepEqual([again.contactWindows, again.numberIds, again.strategy], [before.contactWindows, before.numberIds, before.strategy]);
  });

  await step('Flujos del bot: the server\'s problems with a flow are shown; the fixed flow is saved', async () => {
    await open('Flujos del bot', 'Flujos del bot');
    await see(page.locator('#main tbody tr', { hasText: 'Cobranza estándar' }).getByText('predeterminado'), 'the default flow shipped by the server');
    await page.getByRole('button', { name: 'Nuevo flujo' }).click();
    const editor = await see(page.getByRole('form', { name: 'Nuevo flujo' }), 'the flow editor');
    await editor.getByLabel('Nombre').fill('Recordatorio breve');
    await editor.getByLabel('Descripción').fill('Saluda y pasa a un gestor');
    const broken = {
      start: 'saludo',
      nodes: [{ id: 'saludo', type: 'message', text: 'Hola {{clientName}}, tiene un saldo de ${{debtAmountText}}.', next: 'asesr' },
        { id: 'asesor', type: 'transfer' }],
    };
    await editor.getByLabel('Definición (JSON)').fill(JSON.stringify(broken, null, 2));
    await editor.getByRole('button', { name: 'Validar' }).click();
    await see(editor.getByText(/^El flujo tiene \d+ problema\(s\):$/), 'the verdict of the server');
    const problem = await see(editor.locator('tbody tr', { hasText: 'refers to missing node "asesr"' }), 'the server\'s message');
    assert.deepEqual((await problem.locator('td').allInnerTexts()).slice(0, 2), ['saludo', 'next'], 'the node and field of the problem');
    await adminShot('admin-flows-invalid');
    broken.nodes[0].next = 'asesor';
    await editor.getByLabel('Definición (JSON)').fill(JSON.stringify(broken));
    await editor.getByRole('button', { name: 'Validar' }).click();
    await see(editor.getByText('El flujo es válido.'), 'the fixed flow as valid');
    await editor.getByRole('button', { name: 'Formatear' }).click();
    assert.match(await editor.getByLabel('Definición (JSON)').inputValue(), /\n {2}"start": "saludo"/);
    await editor.getByRole('button', { name: 'Guardar' }).click();
    await see(toast('Flujo «Recordatorio breve» guardado'), 'the saved notice');
    await see(page.getByRole('form', { name: 'Editar flujo: Recordatorio breve' }), 'the saved flow in the editor');
    await see(page.locator('#main tbody tr', { hasText: 'Recordatorio breve' }), 'the saved flow in the list');
    const flows = await ok('GET', '/api/v1/bot-flows', undefined, ctx.admin);
    const saved = flows.items.find((f) => f.name === 'Recordatorio breve');
    assert.equal(saved.description, 'Saluda y pasa a un gestor');
    assert.deepEqual(saved.definition.nodes.map((n) => n.next ?? null), ['asesor', null]);
    // The shipped flow opens in the same editor and passes the server's check.
    await page.locator('#main tbody tr', { hasText: 'Cobranza estándar' }).getByRole('button', { name: 'Editar' }).click();
    const shipped = await see(page.getByRole('form', { name: 'Editar flujo: Cobranza estándar' }), 'the default flow in the editor');
    assert.match(await shipped.getByLabel('Definición (JSON)').inputValue(), /"nodes"/);
    await shipped.getByRole('button', { name: 'Validar' }).click();
    await see(shipped.getByText('El flujo es válido.'), 'the default flow as valid');
    await adminShot('admin-flows');
  });

  await step('Deudores: a CSV with one bad row is imported with its report; the export downloads', async () => {
    await open('Deudores', 'Deudores');
    await see(page.locator('#main tbody tr', { hasText: 'María Fernanda López' }), 'the debtors of the fixture');
    const csv = [
      'fullName,documentType,documentNumber,phone,debtAmount,daysOverdue,tags',
      'Ana Torres,CC,3030303030,+573105550101,890000,200,castigada|bogota',
      'Pedro Ríos,CC,4040404040,+573105550102,mucho,10,',
      'Luisa Martínez,CE,5050505050,+573105550103,1500000.50,75,castigada',
    ].join('\n');
    await page.getByLabel('Archivo CSV').setInputFiles({ name: 'cartera.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Importar' }).click();
    const report = page.getByRole('region', { name: 'Resultado de la importación' });
    await see(report.locator('.kpi', { hasText: 'Nuevos' }).getByText('2', { exact: true }), 'two new debtors');
    await see(report.locator('.kpi', { hasText: 'Actualizados' }).getByText('0', { exact: true }), 'none updated');
    await see(report.locator('.kpi', { hasText: 'Con errores' }).getByText('1', { exact: true }), 'one row with errors');
    const bad = await see(report.locator('tbody tr'), 'the error row');
    assert.deepEqual(await bad.locator('td').allInnerTexts(), ['3', 'debtAmount', 'debtAmount must be a number like 1250000.50']);
    await see(page.locator('#main tbody tr', { hasText: 'Ana Torres' }), 'an imported debtor in the list');
    await see(page.locator('#main tbody tr', { hasText: 'Luisa Martínez' }), 'the other imported debtor in the list');
    const found = await ok('GET', `/api/v1/debtors?q=${encodeURIComponent('Pedro Ríos')}`, undefined, ctx.admin);
    assert.equal(found.total, 0, 'the bad row is not imported');
    await adminShot('admin-import', true);
    await page.getByLabel('Etiqueta').fill('castigada');
    await page.getByRole('button', { name: 'Buscar', exact: true }).click();
    await gone(page.locator('#main tbody tr', { hasText: 'María Fernanda López' }), 'a debtor without the tag');
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: WAIT }),
      page.getByRole('button', { name: 'Exportar CSV' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^deudores-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = fs.readFileSync(await download.path(), 'utf8');
    const lines = text.trim().split(/\r?\n/);
    assert.equal(lines[0], 'fullName,documentType,documentNumber,phone,email,debtAmount,currency,dueDate,daysOverdue,tags,priority,collectionStatus');
    assert.equal(lines.length, 3, `the export holds the filtered debtors only:\n${text}`);
    // A leading + is quoted with ' so that spreadsheets do not read the phone as a formula.
    assert.match(lines[1], /^Ana Torres,CC,3030303030,'\+573105550101,,890000(\.00)?,COP,,200,castigada\|bogota,URGENTE,pending$/);
    assert.match(lines[2], /^Luisa Martínez,CE,5050505050,'\+573105550103,/);
    await see(toast('Exportación lista'), 'the export notice');
  });

  await step('Auditoría: the log lists the actions above and the chain verifies', async () => {
    await open('Auditoría', 'Auditoría');
    const log = page.locator('#main table');
    await eventually('the admin actions in the audit log', async () => {
      await page.getByRole('button', { name: 'Filtrar' }).click();
      await gone(page.locator('#main [aria-busy="true"]'), 'the audit log loading');
      // The Acción column: the Spanish name over the code, or the raw route of other changes.
      const actions = new Set((await log.locator('tbody tr td:nth-child(4)').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()));
      const missing = ['Usuario creado users.create', 'Usuario desactivado users.delete', 'Rol creado roles.create',
        'Rol modificado roles.update', 'POST /api/v1/whatsapp/numbers', 'POST /api/v1/campaigns',
        'POST /api/v1/campaigns/{id}/outbound', 'POST /api/v1/bot-flows', 'POST /api/v1/debtors/import'].filter((a) => !actions.has(a));
      if (missing.length) throw new Error(`missing: ${missing.join(', ')}`);
      return true;
    });
    const roleRow = log.locator('tbody tr', { hasText: 'Rol modificado' }).first();
    await roleRow.getByText('Ver cambios').click();
    await see(roleRow.locator('pre').getByText('debtors:read'), 'the permissions after the change');
    const audit = await ok('GET', '/api/v1/audit?limit=200', undefined, ctx.admin);
    assert.ok(!JSON.stringify(audit).includes(secretToken), 'the audit log never holds the token');
    await page.getByLabel('Entidad').selectOption('roles');
    await page.getByRole('button', { name: 'Filtrar' }).click();
    await gone(log.locator('tbody tr', { hasText: 'Usuario creado' }), 'the users entries after filtering by roles');
    await see(log.locator('tbody tr', { hasText: 'Rol creado' }), 'the roles entries');
    await page.getByRole('button', { name: 'Verificar cadena' }).click();
    await see(page.getByRole('status').getByText(/^Cadena íntegra: \d+ registros verificados, ninguno alterado\.$/), 'the chain as valid');
    await adminShot('admin-audit', true);
  });

  const errors = [...ctx.pageErrors, ...ctx.consoleErrors].filter((e) => e.startsWith('admin:'));
  assert.deepEqual(errors, [], 'no errors, console errors or CSP violations on the admin screens');
});

// -- the API documentation -------------------------------------------------------------------

test('the API documentation renders every operation in Swagger UI', { timeout: 60000 }, async () => {
  const page = await newPage('apidocs');
  const doc = await ok('GET', '/api/docs');
  const operations = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
  await step('Swagger UI loads the document under the CSP', async () => {
    await page.goto(`${ctx.base}/api/docs/ui`);
    await see(page.getByText('CRM de cobranzas por WhatsApp').first(), 'the API title');
    await eventually(`all ${operations} operations listed`,
      async () => (await page.locator('.opblock').count()) === operations);
  });
  await step('an operation opens with its permission and schemas', async () => {
    const close = page.locator('.opblock-post', { hasText: '/api/v1/chats/{id}/close' }).first();
    await close.locator('.opblock-summary').click();
    await see(close.getByText('x-permission').or(close.getByText('chats:update')).first(), 'the permission');
    await shot(page, 'api-docs');
  });
  const errors = [...ctx.pageErrors, ...ctx.consoleErrors].filter((e) => e.startsWith('apidocs:'));
  assert.deepEqual(errors, [], 'no errors, console errors or CSP violations in Swagger UI');
});
