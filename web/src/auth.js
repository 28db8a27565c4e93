// Login and logout for department users: a small form posting to Django's session login
// (CSRF-protected). After either, the page reloads so the catalog and tiles follow.
import { h, csrfHeaders } from './dom.js';
import { t } from './i18n.js';

export function authControls(config) {
  if (config.user) {
    const who = config.user.department
      ? t('myLayers', { user: config.user.username, dept: config.user.department })
      : config.user.username;
    return h('div', { class: 'auth' },
      h('span', { class: 'user' }, who),
      h('button', { type: 'button', class: 'header-button', onclick: () => logout(config) }, t('logout')));
  }
  return h('div', { class: 'auth' },
    h('button', { type: 'button', class: 'header-button login', onclick: () => openLogin(config) }, t('login')));
}

async function logout(config) {
  const response = await fetch(config.urls.logout, {
    method: 'POST', headers: csrfHeaders(config), credentials: 'same-origin',
  });
  await response.json();
  window.location.reload();
}

function openLogin(config) {
  const errors = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'login-form' },
    h('h2', {}, t('loginTitle')),
    h('p', { class: 'hint' }, t('loginHint')),
    h('label', {}, t('username'), h('input', { name: 'username', autocomplete: 'username', required: true })),
    h('label', {}, t('password'), h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    errors,
    h('div', { class: 'buttons' },
      h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close() }, t('cancel')),
      h('button', { type: 'submit' }, t('login'))));
  const dialog = h('dialog', { class: 'login' }, form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const response = await fetch(config.urls.login, {
      method: 'POST', body: new FormData(form), headers: csrfHeaders(config), credentials: 'same-origin',
    });
    const body = await response.json().catch(() => ({ errors: [String(response.status)] }));
    if (response.ok) {
      window.location.reload();
      return;
    }
    errors.textContent = (body.errors || []).join(' ');
  });
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  form.elements.username.focus();
}
