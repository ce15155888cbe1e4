// The City of Järvelä's page script: listens to Tahto's events, shows them in the event log and
// the status lines, and drives the views from the settings. Everything goes through the element's
// attributes, methods and events; the page never touches Tahto's frame.
const TYPES = ['ready', 'resize', 'navigate', 'saved', 'save-failed', 'unsent'];
const THEMES = {
  city: { brand: '#005a8c', radius: '6px' },
  evening: { brand: '#6a1b4d', ink: '#202020', bg: '#fafaf5', card: '#ffffff', radius: '12px', font: 'Georgia, serif' },
  tahto: {},
};

const log = document.getElementById('events');
const embeds = () => [...document.querySelectorAll('tahto-embed')];
const state = new Map(); // element id -> { unsent, partitioned }

function record(event) {
  const type = event.type.slice('tahto-'.length);
  const item = document.createElement('li');
  item.dataset.type = type;
  item.dataset.source = event.target.id;
  item.textContent = `${event.target.id} ${event.type} ${JSON.stringify(event.detail)}`;
  log.append(item);
}

function showStatus(id) {
  const line = document.getElementById(`status-${id.replace(/^embed-/, '')}`);
  const s = state.get(id);
  if (!line || !s) return;
  const unsent = s.unsent > 0 ? `${s.unsent} not yet sent` : 'everything sent';
  const kept = s.partitioned ? ' Saves waiting to be sent are kept in this browser for this site.' : '';
  line.textContent = `Tahto is ready: ${unsent}.${kept}`;
}

for (const type of TYPES) {
  document.addEventListener(`tahto-${type}`, (event) => {
    record(event);
    const id = event.target.id;
    const s = state.get(id) ?? { unsent: 0, partitioned: false };
    if (type === 'ready') s.partitioned = event.detail.partitioned;
    if (type === 'unsent') s.unsent = event.detail.count;
    state.set(id, s);
    if (type === 'ready' || type === 'unsent') showStatus(id);
  });
}

document.getElementById('clear-log').addEventListener('click', () => log.replaceChildren());

// The language as an attribute (the element sends it on), the section and the look by method.
document.getElementById('language').addEventListener('change', (event) => {
  for (const embed of embeds()) embed.setAttribute('lang', event.target.value);
});
document.getElementById('section').addEventListener('change', (event) => {
  document.getElementById('embed-donation').showSection(event.target.value);
});
for (const radio of document.querySelectorAll('input[name="theme"]')) {
  radio.addEventListener('change', () => {
    if (radio.checked) for (const embed of embeds()) embed.setTheme(THEMES[radio.value]);
  });
}
// The settings change the views as they are chosen: there is nothing to submit.
document.getElementById('settings').addEventListener('submit', (event) => event.preventDefault());
