/**
 * The dependency rules of shared/STYLE.md, checked by `npm run lint`:
 * - ha/, health/ and fencing/ never import each other; only src/ wires domains together;
 * - domains and config/ may use src/core/ (clock, logger, errors, IP type) and nothing else of src/;
 * - pure modules (codecs, planners, validation, the keepalived.conf reader) import no I/O module;
 * - product code never imports tests; no import cycles.
 * A new pure module is added to PURE below (a path regex).
 */
const IO_BUILTINS = '^(node:)?(fs|fs/promises|child_process|net|dgram|http|https|http2|tls|dns|dns/promises|os|cluster|worker_threads|timers|timers/promises|readline|process)$';
const PURE = [
  '^config/(issues|raw-config|schema|schema-values|schema-vrrp|schema-ipvs|schema-health|validate|rules|rules-vrrp|rules-ipvs|rule-finding|yaml-source)[.]ts$',
  '^config/keepalived/(lexer|parser|keywords|translate|translate-context|handler-helpers|vrrp-handlers|ipvs-handlers|checker-handlers|checker-inheritance|global-defs-handlers|line-scanner|parameters|glob|memory-source-reader|keepalived-source|source-reader)[.]ts$',
  '^src/core/(ip|errors|result|fake-clock|command-line)[.]ts$',
  '^src/ipvs/(model|nlattr|genl-numbers|genl-codec|genl-decode|genl-ctrl|validate|ipvs-error|request-gate|plan)[.]ts$',
  '^ha/vrrp-(packet|receive-filter|timers|state-types|state-machine|hmac)[.]ts$',
  '^ha/(tracker-effect|periodic-tracker|vrrp-instance-settings|vrrp-datagram-assumptions|garp-schedule|ipv4-header|primary-address|virtual-mac)[.]ts$',
  '^src/vrrp/(vrrp-settings|sync-group)[.]ts$',
  '^src/ipvsadm/(c-parse|ipvsadm-options|popt-scan|ipvsadm-command|parse-option-values|parse-rules|parse-ipvsadm-args|display-names|format-table|format-connections|ipvsadm-sort|etc-services|name-requests|restore-file|change-requests)[.]ts$',
  '^src/ipvs/(health-plan|desired-table|quorum|quorum-plan)[.]ts$',
  '^health/(hysteresis|real-server-verdict|dns-message|agent-reply|smtp-reply|icmp-echo|text-pattern)[.]ts$',
  '^src/realserver/(realserver-plan|realserver-state|realserver-error|realserver-lab-checks)[.]ts$',
  '^bench/(bench-model|format-bench-table|ipvs/big-table)[.]ts$',
  '^bench/health/(health-bench-config|probe-stats)[.]ts$',
  '^bench/vrrp/(advert-capture|vrrp-bench-analysis|vrrp-bench-plan|vrrp-bench-rows)[.]ts$',
  '^src/control/protocol[.]ts$',
  '^src/cli/registry[.]ts$',
  '^src/lab/(probe-analysis|topology-plan|uml-init-script|uml-modules|cli-flags|prober-lines|ipvsadm-stats|slowstart-ramp|lab-daemon-config|lab-report|daemon-log-notes|stream-lines)[.]ts$',
  '^src/lab/scenarios/(traffic-through-vip-options|lab-ipvs-config)[.]ts$',
];
const IO_MODULES = '^(src/core/(command-runner|logger|process-state)|config/loader|config/keepalived/fs-source-reader)[.]ts$';

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'domains-independent',
      comment: 'ha/, health/ and fencing/ export their own types and events; src/ composes them',
      severity: 'error',
      from: { path: '^(ha|health|fencing)/' },
      to: { path: '^(ha|health|fencing)/', pathNot: '^$1/' },
    },
    {
      name: 'domains-use-only-core-of-src',
      severity: 'error',
      from: { path: '^(ha|health|fencing|config)/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'config-not-on-domains',
      severity: 'error',
      from: { path: '^config/' },
      to: { path: '^(ha|health|fencing)/' },
    },
    {
      name: 'core-is-a-leaf',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^(ha|health|fencing|config|src/(?!core/))' },
    },
    {
      name: 'pure-no-io-builtins',
      comment: 'pure modules take data and return data (STYLE 1)',
      severity: 'error',
      from: { path: PURE },
      to: { dependencyTypes: ['core'], path: IO_BUILTINS },
    },
    {
      name: 'pure-no-io-modules',
      severity: 'error',
      from: { path: PURE },
      to: { path: IO_MODULES, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'product-not-on-tests',
      severity: 'error',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
