import { useEffect, useState, type FormEvent } from 'react';
import { describeFailure, type Api, type Preferences } from './api';

/** Voice, units, time zone and home city, through the preferences API. */
export function Settings({ api, onError }: { api: Api; onError: (error: unknown) => void }) {
  const [prefs, setPrefs] = useState<Preferences | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  useEffect(() => {
    api.preferences().then(setPrefs, (failure: unknown) => {
      onError(failure);
      setStatus(describeFailure(failure));
    });
  }, []);
  if (!prefs) return <p role="status">{status ?? 'Loading…'}</p>;
  const set = (patch: Partial<Preferences>) => setPrefs({ ...prefs, ...patch });
  async function save(event: FormEvent) {
    event.preventDefault();
    if (!prefs) return;
    try {
      const { voice, units, timeZone, homeCity } = prefs;
      setPrefs(
        await api.savePreferences({
          units,
          timeZone,
          ...(voice ? { voice } : {}),
          ...(homeCity ? { homeCity } : {}),
        }),
      );
      setStatus('Saved.');
    } catch (failure) {
      onError(failure);
      setStatus(describeFailure(failure));
    }
  }
  return (
    <section aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <form className="settings" onSubmit={(event) => void save(event)}>
        <label htmlFor="voice">Voice</label>
        <input id="voice" value={prefs.voice ?? ''} onChange={(e) => set({ voice: e.target.value })} />
        <label htmlFor="units">Units</label>
        <select
          id="units"
          value={prefs.units}
          onChange={(e) => set({ units: e.target.value === 'imperial' ? 'imperial' : 'metric' })}
        >
          <option value="metric">Metric (°C, km/h)</option>
          <option value="imperial">Imperial (°F, mph)</option>
        </select>
        <label htmlFor="timezone">Time zone</label>
        <input id="timezone" value={prefs.timeZone} onChange={(e) => set({ timeZone: e.target.value })} />
        <label htmlFor="city">Home city</label>
        <input id="city" value={prefs.homeCity ?? ''} onChange={(e) => set({ homeCity: e.target.value })} />
        <button type="submit">Save</button>
      </form>
      <p role="status">{status}</p>
    </section>
  );
}
