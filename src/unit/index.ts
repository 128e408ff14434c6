/** `daemon-check unit`: a service definition that runs a running program the right way under a manager. */
import type { UnitManager } from './managers.js';
import { renderOpenrc } from './openrc.js';
import { renderRunit } from './runit.js';
import { buildSpec, type SpecInput } from './spec.js';
import { renderSupervisord } from './supervisord.js';
import { renderSystemd } from './systemd.js';

export { MANAGERS, type UnitManager } from './managers.js';

const RENDER = { systemd: renderSystemd, runit: renderRunit, supervisord: renderSupervisord, openrc: renderOpenrc };

export function serviceDefinition(input: SpecInput, manager: UnitManager): string {
  const spec = buildSpec(input);
  const st = input.snap.stat;
  const header = [`Made by daemon-check unit from pid ${input.snap.pid} (${st.comm}).`];
  if (spec.program) header.push(`${spec.program.id}: ${spec.program.source}`);
  return RENDER[manager](spec, header);
}
