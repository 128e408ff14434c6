/**
 * The service managers `daemon-check unit` writes definitions for, in the
 * order --for lists them. A module of its own, importing nothing, so the
 * CLI can declare its --for choices without loading the renderers.
 */
export const MANAGERS = ['systemd', 'runit', 'supervisord', 'openrc'] as const;
export type UnitManager = (typeof MANAGERS)[number];
