const show = (id, text) => { document.getElementById(id).textContent = text; };
const message = document.getElementById('message');
const signInForm = document.getElementById('sign-in');
const signedIn = document.getElementById('signed-in');

// The session cookie is HttpOnly (scripts cannot read it); the CSRF token comes from the auth state
// endpoint and must accompany every unsafe request of this browser session.
let csrfToken = null;

function say(text, kind) {
  message.textContent = text;
  message.className = `message ${kind ?? ''}`;
}

async function refresh() {
  try {
    const response = await fetch('/api/v1/health', { headers: { accept: 'application/json' } });
    const health = await response.json();
    show('health', health.status);
    show('version', health.version);
    show('instance', health.instance);
    show('uptime', `${Math.floor(health.uptimeSeconds)} s`);
    document.getElementById('setup-hint').hidden = !health.setupPending;
  } catch {
    show('health', 'unreachable');
  }
}

function showSession(session) {
  csrfToken = session?.csrfToken ?? null;
  signedIn.hidden = !session;
  signInForm.hidden = !!session;
  if (session) {
    show('who', session.userName);
    show('roles', session.roles.length ? `(${session.roles.join(', ')})` : '');
  }
}

async function loadSession() {
  const response = await fetch('/api/v1/auth/state', { headers: { accept: 'application/json' } });
  const state = response.ok ? await response.json() : { signedIn: false };
  showSession(state.signedIn ? state.session : null);
}

signInForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = document.getElementById('sign-in-button');
  button.disabled = true;
  try {
    const response = await fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ userName: document.getElementById('user').value, password: document.getElementById('password').value }),
    });
    if (response.ok) {
      const login = await response.json();
      document.getElementById('password').value = '';
      showSession({ ...login.session, csrfToken: login.csrfToken });
      say('');
    } else {
      const problem = await response.json().catch(() => ({}));
      say(problem.detail ?? `Sign-in failed (${response.status}).`, 'error');
    }
  } catch {
    say('The node did not answer; check that it is running and try again.', 'error');
  } finally {
    button.disabled = false;
  }
});

document.getElementById('sign-out').addEventListener('click', async () => {
  await fetch('/api/v1/auth/logout', { method: 'POST', headers: { 'x-csrf-token': csrfToken ?? '' } });
  showSession(null);
  say('Signed out.', 'ok');
});

refresh();
loadSession();
setInterval(refresh, 5000);
