// Roles: the permissions matrix (roles x 12 modules x 4 actions). System roles are read-only;
// a custom role's row is edited with real checkboxes and saved as a whole.
import { del, get, patch, post, session } from '../../api.js';
import { attempt, field, h, mount, select, toast } from '../../dom.js';
import { actionLabels, confirmAction, failed, formDialog, moduleLabels, screen } from './common.js';

const names = { name: 'Nombre', description: 'Descripción', permissions: 'Permisos' };

export async function rolesView(main) {
  let roles = [];
  let modules = []; // [{module, actions: [action...]}] in the server's order
  const dirty = new Map(); // role id -> Set of permissions being edited
  const body = h('div', {}, h('p', { class: 'loading' }, 'Cargando…'));

  async function load() {
    const [r, p] = await Promise.all([get('/roles'), get('/permissions')]);
    roles = r.items || [];
    modules = [];
    for (const perm of p.items || []) {
      let m = modules.find((x) => x.module === perm.module);
      if (!m) modules.push(m = { module: perm.module, actions: [] });
      m.actions.push(perm.action);
    }
  }

  async function reload() {
    try {
      await load();
      dirty.clear();
      render();
    } catch (e) {
      mount(body, failed(e, reload));
    }
  }

  const editable = (role) => !role.isSystem && session.can('roles:update');

  function headers() {
    return h('thead', {},
      h('tr', {},
        h('th', { scope: 'col', rowspan: '2' }, 'Rol'),
        modules.map((m) => h('th', { scope: 'colgroup', colspan: String(m.actions.length), class: 'mod' },
          moduleLabels[m.module] || m.module)),
        h('th', { scope: 'col', rowspan: '2' }, 'Acciones')),
      h('tr', {}, modules.map((m) => m.actions.map((a) => h('th', {
        scope: 'col', class: 'act', title: `${moduleLabels[m.module] || m.module}: ${actionLabels[a] || a}`,
      }, actionLabels[a] || a)))));
  }

  function rowOf(role) {
    const granted = dirty.get(role.id) || new Set(role.permissions || []);
    const canEdit = editable(role);
    const save = h('button', { type: 'button', class: 'small primary', disabled: !dirty.has(role.id), onclick: () => saveRole(role) }, 'Guardar');
    const undo = h('button', { type: 'button', class: 'small', disabled: !dirty.has(role.id), onclick: () => { dirty.delete(role.id); render(); } }, 'Descartar');
    const cells = modules.map((m) => m.actions.map((a) => {
      const perm = `${m.module}:${a}`;
      const box = h('input', {
        type: 'checkbox', checked: granted.has(perm), disabled: !canEdit,
        'aria-label': `${role.name}: ${perm}`, 'data-perm': perm,
      });
      box.addEventListener('change', () => {
        const set = dirty.get(role.id) || new Set(role.permissions || []);
        if (box.checked) set.add(perm); else set.delete(perm);
        dirty.set(role.id, set);
        save.disabled = undo.disabled = false;
      });
      return h('td', { class: 'perm' }, box);
    }));
    const tools = [];
    if (canEdit) tools.push(save, undo,
      h('button', { type: 'button', class: 'small', onclick: () => editDescription(role) }, 'Descripción'));
    if (!role.isSystem && session.can('roles:delete'))
      tools.push(h('button', { type: 'button', class: 'small danger', onclick: () => remove(role) }, 'Eliminar'));
    return h('tr', { 'data-role': role.id },
      h('th', { scope: 'row', class: 'role-name' },
        h('div', {}, role.name, ' ', role.isSystem ? h('span', { class: 'pill muted' }, 'sistema') : null),
        role.description ? h('div', { class: 'muted small-text' }, role.description) : null,
        h('div', { class: 'muted small-text' }, `${role.users ?? 0} usuario(s) · ${(granted.size)} permiso(s)`)),
      cells,
      h('td', {}, h('div', { class: 'row' }, tools.length ? tools : h('span', { class: 'muted' }, 'Solo lectura'))));
  }

  // Arrow keys move between the matrix's checkboxes like a grid (Tab still works as usual).
  function gridKeys(ev) {
    const keys = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
    const move = keys[ev.key];
    const cell = ev.target.closest && ev.target.closest('td.perm');
    if (!move || !cell) return;
    const rows = [...ev.currentTarget.querySelectorAll('tbody tr')];
    const r = rows.indexOf(cell.parentElement);
    const c = [...cell.parentElement.querySelectorAll('td.perm')].indexOf(cell);
    const nextRow = rows[r + move[0]];
    const target = nextRow && nextRow.querySelectorAll('td.perm')[c + move[1]];
    if (target) { ev.preventDefault(); target.querySelector('input').focus(); }
  }

  function render() {
    const matrix = h('table', { class: 'matrix', onkeydown: gridKeys },
      h('caption', { class: 'muted' }, 'Permisos por rol. Los roles del sistema no se pueden modificar; ',
        'en los roles propios marca las casillas y pulsa «Guardar». Flechas: moverse entre casillas.'),
      headers(), h('tbody', {}, roles.map(rowOf)));
    mount(body, h('div', { class: 'table-wrap' }, matrix));
  }

  async function saveRole(role) {
    const set = dirty.get(role.id);
    if (!set) return;
    const saved = await attempt(() => patch(`/roles/${role.id}`, { permissions: [...set].sort() }),
      `Permisos de ${role.name} guardados. Los usuarios con este rol los tendrán en su próxima solicitud.`);
    if (saved) await reload();
  }

  function editDescription(role) {
    formDialog(`Descripción de ${role.name}`,
      field('Descripción', h('input', { name: 'description', maxlength: '500', value: role.description || '' })),
      'Guardar', async (form) => {
        await patch(`/roles/${role.id}`, { description: form.elements.description.value.trim() });
        toast('Descripción guardada', 'ok');
        await reload();
      }, { names });
  }

  function create() {
    const base = select('copyFrom', [['', 'Ninguno (sin permisos)'], ...roles.map((r) => [r.id, r.name])], '');
    formDialog('Nuevo rol', h('div', {},
      field('Nombre', h('input', {
        name: 'name', required: true, pattern: '[a-z][a-z0-9_]{1,39}', maxlength: '40', autocomplete: 'off',
      }), 'De 2 a 40 caracteres: minúsculas, números y _ (p. ej. gestor_juridico). No se puede cambiar después.'),
      field('Descripción', h('input', { name: 'description', maxlength: '500' })),
      field('Copiar permisos de', base, 'Opcional: parte de los permisos de otro rol y ajústalos en la matriz.')),
    'Crear', async (form) => {
      const el = form.elements;
      const from = roles.find((r) => r.id === el.copyFrom.value);
      const created = await post('/roles', {
        name: el.namedItem('name').value.trim(),
        description: el.description.value.trim(),
        permissions: from ? from.permissions : [],
      });
      toast(`Rol ${created.name} creado`, 'ok');
      await reload();
    }, { names });
  }

  async function remove(role) {
    if (!(await confirmAction('Eliminar rol', `¿Eliminar el rol ${role.name}? Solo es posible si ningún usuario lo tiene.`, 'Eliminar'))) return;
    await attempt(() => del(`/roles/${role.id}`), 'Rol eliminado');
    await reload();
  }

  const tools = session.can('roles:create')
    ? h('button', { type: 'button', class: 'primary', onclick: create }, 'Nuevo rol') : null;
  screen(main, 'Roles y permisos', tools, h('div', { class: 'card' }, body));
  await reload();
}
