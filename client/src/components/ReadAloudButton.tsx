import { useEffect, useRef, useState } from 'react';
import { ProgressiveSpeech } from '../speech/progressive-speech';

/**
 * "Read aloud": speaks the final answer with the browser's speech synthesis, sentence by sentence as each one is
 * complete, so the first is heard while the rest is still streaming. The same button, or Esc, stops it.
 */
export function ReadAloudButton({ text, streaming }: { text: string; streaming: boolean }) {
  const [reading, setReading] = useState(false);
  const reader = useRef<ProgressiveSpeech | undefined>(undefined);
  const latest = useRef({ text, streaming });
  latest.current = { text, streaming };
  const available = typeof window !== 'undefined' && 'speechSynthesis' in window && typeof SpeechSynthesisUtterance !== 'undefined';

  useEffect(() => {
    if (reading) reader.current?.feed(text, !streaming);
  }, [reading, text, streaming]);

  useEffect(() => {
    if (!reading) return;
    // Capture, before the page's own Esc (which stops the runs): while reading, Esc stops the reading only.
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      reader.current?.stop();
      setReading(false);
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [reading]);

  useEffect(() => () => reader.current?.stop(), []);

  if (!available || (!text && !streaming)) return null;
  const toggle = () => {
    if (reading) {
      reader.current?.stop();
      setReading(false);
      return;
    }
    reader.current ??= new ProgressiveSpeech(window.speechSynthesis, undefined, () => setReading(false));
    reader.current.start(latest.current.text, !latest.current.streaming);
    setReading(reader.current.active);
  };
  return (
    <button
      type="button"
      className={`btn btn-small ${reading ? 'btn-primary' : 'btn-ghost'}`}
      aria-label="Read aloud"
      aria-pressed={reading}
      title={reading ? 'Stop reading (Esc)' : 'Read the answer aloud, sentence by sentence as it is written'}
      onClick={toggle}
    >
      {reading ? '■ Stop reading' : '▶ Read aloud'}
    </button>
  );
}
