/** `daemon-check unit`: a service definition that runs a running program the right way under a manager. */
import type { UnitManager } from './managers.js';
import { lookupInterpreter } from '../knowledge/index.js';
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
  else {
    // The program is the script it runs: the interpreter is named with its docs.
    const interp = lookupInterpreter(st.comm, input.snap.cmdline, input.exe);
    if (interp) header.push(`${spec.title}, run by the interpreter ${interp.info.id}: ${interp.info.source}`);
  }
  return RENDER[manager](spec, header);
}
