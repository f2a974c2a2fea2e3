const show = (id, text) => { document.getElementById(id).textContent = text; };

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

refresh();
setInterval(refresh, 5000);
