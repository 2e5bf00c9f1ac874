import { useEffect } from 'react';
import { everyTick } from '../store/ticks';

/**
 * The blink of things under way (a streaming lane, a running stage, a reconnecting connection). One shared beat
 * flips `data-beat` on the root element twice a second while anything blinks, and the stylesheet dims what is
 * under way on the "off" beat. No element runs an animation of its own: an animated element is a compositor layer,
 * and fifty of them (and the lanes they overlap) cost every frame a re-layering; the beat costs two repaints of a
 * few dots a second.
 */
const period = 500;
let users = 0;
let stop: (() => void) | undefined;

function start(): () => void {
  if (users++ === 0) stop = everyTick(period, () => document.documentElement.toggleAttribute('data-beat'));
  return () => {
    if (--users > 0) return;
    stop?.();
    stop = undefined;
    document.documentElement.removeAttribute('data-beat');
  };
}

/** Keeps the beat going while `active`. */
export function useBeat(active = true): void {
  useEffect(() => (active ? start() : undefined), [active]);
}

/** A dot that blinks with the beat. */
export function Pulse() {
  useBeat();
  return <span className="pulse" aria-hidden="true" />;
}
