// Sign-in: email and password, then the 2FA code when the account has it on.
import { login } from '../api.js';
import { field, h, mount } from '../dom.js';

export function loginView(main) {
  let credentials = null;
  const error = h('p', { class: 'error', role: 'alert' });
  const email = h('input', { name: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const code = h('input', {
    name: 'totpCode', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}',
    maxlength: '6', required: true,
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Ingresar');
  const stepOne = h('div', {}, field('Correo', email), field('Contraseña', password));
  const stepTwo = h('div', { hidden: true },
    h('p', {}, 'Escribe el código de 6 dígitos de tu aplicación de autenticación.'),
    field('Código 2FA', code));
  code.disabled = true;

  const form = h('form', { class: 'card login', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'CRM de Cobranzas'), stepOne, stepTwo, error, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    try {
      if (credentials) await login(credentials.email, credentials.password, code.value.trim());
      else await login(email.value.trim(), password.value);
    } catch (e) {
      if (e.code === 'totp_required') {
        credentials = { email: email.value.trim(), password: password.value };
        stepOne.hidden = true;
        stepTwo.hidden = false;
        code.disabled = false;
        submit.textContent = 'Verificar';
        code.focus();
      } else if (e.code === 'invalid_credentials') {
        error.textContent = 'Correo o contraseña incorrectos.';
      } else if (e.code === 'invalid_totp') {
        error.textContent = 'El código no es válido o ya se usó. Espera el siguiente.';
        code.value = '';
        code.focus();
      } else if (e.status === 429) {
        error.textContent = 'Demasiados intentos. Espera unos minutos e inténtalo de nuevo.';
      } else {
        error.textContent = e.message;
      }
    } finally {
      submit.disabled = false;
    }
  });
  mount(main, h('section', { class: 'center' }, form));
  email.focus();
}
