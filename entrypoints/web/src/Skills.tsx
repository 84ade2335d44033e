import { useEffect, useState } from 'react';
import { describeFailure, type Api, type Skill } from './api';

/** "What can I say": each skill with a few of its example utterances, from /v1/skills. */
export function Skills({ api, onError }: { api: Api; onError: (error: unknown) => void }) {
  const [skills, setSkills] = useState<Skill[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.skills().then(setSkills, (failure: unknown) => {
      onError(failure);
      setError(describeFailure(failure));
    });
  }, []);
  return (
    <section aria-labelledby="skills-title">
      <h2 id="skills-title">What can I say?</h2>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {skills?.map((skill) => (
        <article key={skill.name} className="skill">
          <h3>{skill.name}</h3>
          {skill.description && <p>{skill.description}</p>}
          <ul>
            {skill.intents.flatMap((intent) =>
              intent.utterances.slice(0, 3).map((u) => <li key={`${intent.name}:${u}`}>“{u}”</li>),
            )}
          </ul>
        </article>
      ))}
    </section>
  );
}
