// Attention for live events (new assignments, reminders): a short WebAudio beep (no audio
// files to serve) and a desktop notification when the user allowed them (app.js asks once).

let audio = null;

/** A two-tone beep; silently nothing when the browser blocks audio before a user gesture. */
export function beep() {
  try {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    audio = audio || new Ctx();
    if (audio.state === 'suspended') audio.resume().catch(() => {});
    const t = audio.currentTime;
    for (const [offset, freq] of [[0, 880], [0.18, 1175]]) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t + offset);
      gain.gain.exponentialRampToValueAtTime(0.25, t + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + offset + 0.16);
      osc.connect(gain).connect(audio.destination);
      osc.start(t + offset);
      osc.stop(t + offset + 0.18);
    }
  } catch { /* sound is a courtesy: never break the screen for it */ }
}

/** A desktop notification; clicking it brings the tab forward and runs onClick. */
export function notify(title, body, onClick) {
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  try {
    // The tag collapses repeats of the same event instead of stacking them.
    const n = new Notification(title, { body, tag: `${title}:${body}`, lang: 'es' });
    n.onclick = () => {
      window.focus();
      if (onClick) onClick();
      n.close();
    };
  } catch { /* some browsers only allow notifications from a service worker */ }
}

/** Both at once: what a new assignment or a reminder gets. */
export function alertUser(title, body, onClick) {
  beep();
  notify(title, body, onClick);
}
