// WhatsApp numbers: Meta Cloud API or WPPConnect. Secrets are write-only: the API never
// returns them, so the form leaves them empty and sends them only when typed.
import { del, get, patch, post, session } from '../../api.js';
import { attempt, field, formatDateTime, h, mount, select, table, toast } from '../../dom.js';
import { confirmAction, failed, formDialog, intOf, loadAll, screen } from './common.js';

const names = {
  name: 'Nombre', phoneNumber: 'Número', provider: 'Proveedor', campaignId: 'Campaña',
  rateLimitPerSecond: 'Mensajes por segundo', meta: 'Meta', 'meta.phoneNumberId': 'Phone number ID',
  'meta.accessToken': 'Token de acceso', wppconnect: 'WPPConnect', 'wppconnect.baseUrl': 'URL del servidor',
  'wppconnect.session': 'Sesión', 'wppconnect.token': 'Token',
};
const providers = { meta: 'Meta Cloud API', wppconnect: 'WPPConnect' };
const states = {
  connected: ['Conectado', 'state-ok'], disconnected: ['Desconectado', 'state-off'], error: ['Error', 'state-bad'],
};

function statusCell(n) {
  const [text, cls] = states[n.status] || [n.status || '—', 'state-off'];
  return h('div', {},
    h('span', { class: `pill ${cls}` }, text),
    n.lastError ? h('div', { class: 'error small-text' }, n.lastError) : null);
}

/** Where the provider must deliver this number's events. */
function webhookOf(n) {
  const base = location.origin + '/api/v1/webhooks/';
  return n.provider === 'meta' ? base + 'meta' : base + 'wppconnect/' + n.id;
}

export async function numbersView(main) {
  let campaigns = [];
  const body = h('div', {}, h('p', { class: 'loading' }, 'Cargando…'));
  const campaignName = (id) => (id ? (campaigns.find((c) => c.id === id) || {}).name || id.slice(0, 8) : '—');

  async function reload() {
    try {
      if (session.can('campaigns:read')) campaigns = await loadAll('/campaigns');
      const list = await get('/whatsapp/numbers');
      mount(body, render(list.items || []));
    } catch (e) {
      mount(body, failed(e, reload));
    }
  }

  function render(items) {
    const columns = [
      ['Nombre', (n) => n.name],
      ['Número', (n) => n.phoneNumber],
      ['Proveedor', (n) => providers[n.provider] || n.provider],
      ['Campaña', (n) => campaignName(n.campaignId)],
      ['Estado', statusCell],
      ['Credenciales', (n) => (n.hasCredentials ? 'Guardadas' : h('span', { class: 'error' }, 'Faltan'))],
      ['Mensajes/s', (n) => n.rateLimitPerSecond],
      ['Actualizado', (n) => formatDateTime(n.updatedAt)],
      ['Acciones', (n) => h('div', { class: 'row' },
        session.can('whatsapp:update') ? h('button', { type: 'button', class: 'small', onclick: () => edit(n) }, 'Editar') : null,
        session.can('whatsapp:delete') ? h('button', { type: 'button', class: 'small danger', onclick: () => remove(n) }, 'Eliminar') : null)],
    ];
    return h('div', {},
      h('p', { class: 'muted' }, `${items.length} de 10 números como máximo recomendado.`),
      h('div', { class: 'table-wrap' }, table(columns, items, { empty: 'Aún no hay números de WhatsApp.' })));
  }

  function numberForm(n) {
    const creating = !n;
    const keep = creating ? null : 'Se guarda cifrado y nunca se muestra. Déjalo en blanco para conservar el actual.';
    const provider = select('provider', Object.entries(providers), n ? n.provider : 'meta', { disabled: !creating });
    const meta = h('fieldset', { class: 'provider', 'data-provider': 'meta' }, h('legend', {}, 'Meta Cloud API'),
      field('Phone number ID', h('input', {
        name: 'meta.phoneNumberId', inputmode: 'numeric', pattern: '[0-9]{5,32}', required: creating,
        value: n?.meta?.phoneNumberId ?? '', autocomplete: 'off',
      }), 'El identificador numérico del número en Meta (no es el teléfono).'),
      field('Token de acceso', h('input', {
        name: 'meta.accessToken', type: 'password', autocomplete: 'new-password', required: creating,
      }), keep || 'Se guarda cifrado y nunca se vuelve a mostrar.'));
    const wpp = h('fieldset', { class: 'provider', 'data-provider': 'wppconnect' }, h('legend', {}, 'WPPConnect'),
      field('URL del servidor', h('input', {
        name: 'wppconnect.baseUrl', type: 'url', placeholder: 'https://wpp.ejemplo.co', required: creating,
        value: n?.wppconnect?.baseUrl ?? '',
      })),
      field('Sesión', h('input', {
        name: 'wppconnect.session', pattern: '[A-Za-z0-9_\\-]{1,100}', required: creating,
        value: n?.wppconnect?.session ?? '', autocomplete: 'off',
      })),
      field('Token', h('input', { name: 'wppconnect.token', type: 'password', autocomplete: 'new-password', required: creating }),
        keep || 'Se guarda cifrado y nunca se vuelve a mostrar.'));
    // Only the chosen provider's fields are shown, required and sent.
    const show = () => {
      for (const fs of [meta, wpp]) {
        const on = fs.dataset.provider === provider.value;
        fs.hidden = !on;
        fs.disabled = !on;
      }
    };
    provider.addEventListener('change', show);
    show();
    return h('div', {},
      field('Nombre', h('input', { name: 'name', required: true, maxlength: '200', value: n?.name ?? '' }),
        'Cómo lo verá el equipo, p. ej. «Cartera Bogotá 1».'),
      field('Número (E.164)', h('input', {
        name: 'phoneNumber', type: 'tel', required: true, placeholder: '+573001234567', value: n?.phoneNumber ?? '',
      })),
      field('Proveedor', provider, creating ? null : 'El proveedor no cambia: para otro proveedor agrega un número nuevo.'),
      session.can('campaigns:read')
        ? field('Campaña', select('campaignId', [['', 'Sin campaña'], ...campaigns.map((c) => [c.id, c.name])], n?.campaignId ?? ''),
          'También se asigna desde la campaña.')
        : null,
      field('Mensajes por segundo', h('input', {
        name: 'rateLimitPerSecond', type: 'number', min: '1', max: '1000', step: '1', value: n?.rateLimitPerSecond ?? 80,
      }), 'Límite de envío de este número.'),
      meta, wpp,
      n ? h('p', { class: 'muted small-text' }, 'Webhook de este número: ', h('code', {}, webhookOf(n))) : null);
  }

  /** The JSON body; on edit only changed fields and typed secrets go. */
  function bodyOf(form, n) {
    const el = (k) => form.elements.namedItem(k);
    const b = { name: el('name').value.trim(), phoneNumber: el('phoneNumber').value.trim() };
    const rate = intOf(el('rateLimitPerSecond').value);
    if (rate !== undefined) b.rateLimitPerSecond = rate;
    if (session.can('campaigns:read')) b.campaignId = el('campaignId').value || null;
    const provider = n ? n.provider : el('provider').value;
    if (!n) b.provider = provider;
    if (provider === 'meta') {
      b.meta = { phoneNumberId: el('meta.phoneNumberId').value.trim() };
      if (el('meta.accessToken').value) b.meta.accessToken = el('meta.accessToken').value;
    } else {
      b.wppconnect = { baseUrl: el('wppconnect.baseUrl').value.trim(), session: el('wppconnect.session').value.trim() };
      if (el('wppconnect.token').value) b.wppconnect.token = el('wppconnect.token').value;
    }
    if (n) {
      if (b.name === n.name) delete b.name;
      if (b.phoneNumber === n.phoneNumber) delete b.phoneNumber;
      if (b.rateLimitPerSecond === n.rateLimitPerSecond) delete b.rateLimitPerSecond;
      if (b.campaignId !== undefined && b.campaignId === (n.campaignId || null)) delete b.campaignId;
    }
    return b;
  }

  function create() {
    formDialog('Nuevo número de WhatsApp', numberForm(null), 'Crear', async (form) => {
      const n = await post('/whatsapp/numbers', bodyOf(form, null));
      toast(`Número ${n.phoneNumber} creado. Configura su webhook: ${webhookOf(n)}`, 'ok');
      await reload();
    }, { names });
  }

  function edit(n) {
    formDialog(`Editar: ${n.name}`, numberForm(n), 'Guardar', async (form) => {
      await patch(`/whatsapp/numbers/${n.id}`, bodyOf(form, n));
      toast('Número actualizado', 'ok');
      await reload();
    }, { names });
  }

  async function remove(n) {
    if (!(await confirmAction('Eliminar número',
      `${n.name} (${n.phoneNumber}) dejará de enviar y recibir. Sus chats y mensajes se conservan.`, 'Eliminar'))) return;
    await attempt(() => del(`/whatsapp/numbers/${n.id}`), 'Número eliminado');
    await reload();
  }

  const tools = h('div', { class: 'row' },
    h('button', { type: 'button', onclick: () => reload() }, 'Actualizar estado'),
    session.can('whatsapp:create') ? h('button', { type: 'button', class: 'primary', onclick: create }, 'Nuevo número') : null);
  screen(main, 'Números de WhatsApp', tools, h('div', { class: 'card' }, body));
  await reload();
}
