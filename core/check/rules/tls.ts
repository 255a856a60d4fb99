/** TLS certificate validity of every member endpoint that speaks TLS, for any kind. */
import { SYSTEM_KINDS } from '../../model.js';
import type { CheckFacts } from '../facts.js';
import { checkRule, findingOf, REFERENCE, type CheckRule } from './common.js';

const DAY_MS = 86_400_000;

/** The member that answers at `endpoint`, for naming; the endpoint itself otherwise. */
function subjectOf(facts: CheckFacts, endpoint: string): string {
  const member = facts.status.members.find((candidate) => candidate.endpoint === endpoint);
  return member === undefined ? endpoint : `${member.name} (${endpoint})`;
}

function days(ms: number): string {
  const value = Math.abs(ms) / DAY_MS;
  return value < 1 ? `${(value * 24).toFixed(1)} hours` : `${value.toFixed(1)} days`;
}

const certificateExpiry = checkRule(
  {
    id: 'TLS-CERT-EXPIRY',
    kinds: SYSTEM_KINDS,
    severity: 'warn',
    title: 'TLS certificates valid for 30 more days',
    why: "When a member's certificate expires, clients and peers refuse the handshake: the member drops out, and when all were issued together the whole cluster goes at once. Critical once expired (or not valid yet).",
    threshold: 'notAfter of the certificate each TLS endpoint presents more than 30 days away',
    source: `issue 5 (warn < 30 days) [derived]; TLS on every endpoint: kube-bench CIS 2.1-2.7 (${REFERENCE} §3.1 E-TLS-1..8)`,
    remedy:
      'Issue new certificates from the same CA (same SANs) and roll them member by member; etcd and NATS reload certificates on their next handshake, ZooKeeper and Kafka need a restart.',
  },
  (facts, info) =>
    facts.certificates.flatMap((certificate) => {
      if ('error' in certificate) return [];
      const now = facts.now.getTime();
      const notAfter = Date.parse(certificate.notAfter);
      const notBefore = Date.parse(certificate.notBefore);
      const subject = subjectOf(facts, certificate.endpoint);
      const left = notAfter - now;
      const values = { subject, observed: certificate.notAfter };
      if (left <= 0) {
        return [
          findingOf(
            info,
            `${subject}: certificate ${certificate.subject} expired ${days(left)} ago (${certificate.notAfter})`,
            { ...values, severity: 'critical', threshold: 'not expired' },
          ),
        ];
      }
      if (notBefore > now) {
        return [
          findingOf(
            info,
            `${subject}: certificate ${certificate.subject} is not valid until ${certificate.notBefore} (check the clocks)`,
            { ...values, severity: 'critical', threshold: 'valid now' },
          ),
        ];
      }
      const warnDays = facts.thresholds.tls.warnDays;
      if (left >= warnDays * DAY_MS) return [];
      return [
        findingOf(
          info,
          `${subject}: certificate ${certificate.subject} expires in ${days(left)} (${certificate.notAfter})`,
          { ...values, threshold: `${warnDays} days` },
        ),
      ];
    }),
  'tls',
);

export const TLS_RULES: readonly CheckRule[] = [certificateExpiry];
