import type { Standard, StandardId } from './control.js';
import { gdpr } from './gdpr.js';
import { hipaa } from './hipaa.js';
import { pciDss } from './pci-dss.js';
import { soc2 } from './soc2.js';

/** The standards a report can be made for, by id. */
export const STANDARDS: Record<StandardId, Standard> = { soc2, gdpr, 'pci-dss': pciDss, hipaa };
