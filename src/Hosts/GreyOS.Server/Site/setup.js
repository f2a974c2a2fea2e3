const form = document.getElementById('setup-form');
const message = document.getElementById('message');
const code = document.getElementById('code');

// The code may arrive in the URL fragment (never sent to the server): /setup#code=XXXXX-…
const fromFragment = new URLSearchParams(location.hash.slice(1)).get('code');
if (fromFragment) {
  code.value = fromFragment;
  history.replaceState(null, '', location.pathname);
}

function say(text, kind) {
  message.textContent = text;
  message.className = `message ${kind}`;
}

const submit = document.getElementById('submit');
let sending = false;

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  // One request at a time: a double click must not spend the one-time code twice.
  if (sending) {
    return;
  }
  const password = document.getElementById('password').value;
  if (password !== document.getElementById('confirm').value) {
    say('The two passwords differ.', 'error');
    return;
  }
  sending = true;
  submit.disabled = true;
  try {
    const response = await fetch('/api/v1/setup', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ code: code.value, password }),
    });
    if (response.ok) {
      const body = await response.json();
      form.hidden = true;
      say(`Done: '${body.userName}' can now log in (greyos login).`, 'ok');
    } else {
      const problem = await response.json().catch(() => ({}));
      say(problem.detail ?? `Setup failed (${response.status}).`, 'error');
    }
  } catch {
    say('The node did not answer; check that it is running and try again.', 'error');
  } finally {
    sending = false;
    submit.disabled = false;
  }
});
