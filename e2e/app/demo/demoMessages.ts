import type { RelayLocale } from '../../../src/index.ts';

/** The demo page's own strings (the kit's come from its locales). */
export interface DemoMessages {
  title: string;
  emulator: string;
  live: string;
  encrypted: string;
  claim: string;
  groups: { country: string; evidence: string; presence: string; other: string };
  verify: string;
  language: string;
  theme: string;
  themes: { system: string; light: string; dark: string };
  placeholder: string;
  personSees: string;
  serverTitle: string;
  serverNote: string;
  serverNone: string;
  subject: string;
  result: string;
  methodology: string;
  time: string;
  decrypted: string;
}

const en: DemoMessages = {
  title: 'relay-claim-kit demo',
  emulator: 'Persona: local emulator (no account needed)',
  live: 'Persona: live environment',
  encrypted: 'payloads encrypted with RSA-OAEP',
  claim: 'Claim to verify',
  groups: { country: 'Age, by country', evidence: 'Age, by evidence', presence: 'Presence', other: 'Other (configured in the emulator)' },
  verify: 'Verify',
  language: 'Language',
  theme: 'Theme',
  themes: { system: 'System', light: 'Light', dark: 'Dark' },
  placeholder: 'Choose a claim and press Verify.',
  personSees: 'What the person sees',
  serverTitle: 'What the server learned',
  serverNote: 'Pushed by the app’s server (onClaim) the moment a claim is final: the only result to trust.',
  serverNone: 'No claim yet.',
  subject: 'Subject',
  result: 'Result',
  methodology: 'Methodology',
  time: 'Time',
  decrypted: 'decrypted from an RSA-OAEP payload',
};

const de: DemoMessages = {
  title: 'relay-claim-kit – Demo',
  emulator: 'Persona: lokaler Emulator (kein Konto nötig)',
  live: 'Persona: Live-Umgebung',
  encrypted: 'Nutzdaten mit RSA-OAEP verschlüsselt',
  claim: 'Zu prüfender Nachweis',
  groups: { country: 'Alter, nach Land', evidence: 'Alter, nach Nachweisart', presence: 'Anwesenheit', other: 'Sonstige (im Emulator konfiguriert)' },
  verify: 'Prüfen',
  language: 'Sprache',
  theme: 'Darstellung',
  themes: { system: 'System', light: 'Hell', dark: 'Dunkel' },
  placeholder: 'Wählen Sie einen Nachweis und klicken Sie auf „Prüfen“.',
  personSees: 'Was die Person sieht',
  serverTitle: 'Was der Server erfahren hat',
  serverNote: 'Vom Server der App (onClaim) gesendet, sobald ein Nachweis feststeht: das einzige Ergebnis, dem Sie vertrauen sollten.',
  serverNone: 'Noch kein Nachweis.',
  subject: 'Nutzer',
  result: 'Ergebnis',
  methodology: 'Methodik',
  time: 'Zeit',
  decrypted: 'aus RSA-OAEP-verschlüsselten Nutzdaten entschlüsselt',
};

const fr: DemoMessages = {
  title: 'Démo de relay-claim-kit',
  emulator: 'Persona\u00a0: émulateur local (aucun compte requis)',
  live: 'Persona\u00a0: environnement réel',
  encrypted: 'données chiffrées avec RSA-OAEP',
  claim: 'Attestation à vérifier',
  groups: { country: 'Âge, par pays', evidence: 'Âge, par type de preuve', presence: 'Présence', other: 'Autres (configurées dans l’émulateur)' },
  verify: 'Vérifier',
  language: 'Langue',
  theme: 'Thème',
  themes: { system: 'Système', light: 'Clair', dark: 'Sombre' },
  placeholder: 'Choisissez une attestation, puis cliquez sur «\u00a0Vérifier\u00a0».',
  personSees: 'Ce que voit la personne',
  serverTitle: 'Ce que le serveur a appris',
  serverNote: 'Transmis par le serveur de l’application (onClaim) dès que l’attestation est définitive\u00a0: le seul résultat fiable.',
  serverNone: 'Aucune attestation pour l’instant.',
  subject: 'Utilisateur',
  result: 'Résultat',
  methodology: 'Méthode',
  time: 'Heure',
  decrypted: 'déchiffré à partir de données RSA-OAEP',
};

const it: DemoMessages = {
  title: 'Demo di relay-claim-kit',
  emulator: 'Persona: emulatore locale (nessun account necessario)',
  live: 'Persona: ambiente reale',
  encrypted: 'dati cifrati con RSA-OAEP',
  claim: 'Attestazione da verificare',
  groups: { country: 'Età, per paese', evidence: 'Età, per tipo di prova', presence: 'Presenza', other: 'Altre (configurate nell’emulatore)' },
  verify: 'Verifica',
  language: 'Lingua',
  theme: 'Tema',
  themes: { system: 'Sistema', light: 'Chiaro', dark: 'Scuro' },
  placeholder: 'Scelga un’attestazione e prema «Verifica».',
  personSees: 'Cosa vede la persona',
  serverTitle: 'Cosa ha appreso il server',
  serverNote: 'Inviato dal server dell’app (onClaim) appena l’attestazione è definitiva: l’unico risultato affidabile.',
  serverNone: 'Ancora nessuna attestazione.',
  subject: 'Utente',
  result: 'Risultato',
  methodology: 'Metodo',
  time: 'Ora',
  decrypted: 'decifrato da dati RSA-OAEP',
};

const ptBR: DemoMessages = {
  title: 'Demonstração do relay-claim-kit',
  emulator: 'Persona: emulador local (sem conta)',
  live: 'Persona: ambiente real',
  encrypted: 'dados criptografados com RSA-OAEP',
  claim: 'Comprovação a verificar',
  groups: { country: 'Idade, por país', evidence: 'Idade, por tipo de prova', presence: 'Presença', other: 'Outras (configuradas no emulador)' },
  verify: 'Verificar',
  language: 'Idioma',
  theme: 'Tema',
  themes: { system: 'Sistema', light: 'Claro', dark: 'Escuro' },
  placeholder: 'Escolha uma comprovação e clique em “Verificar”.',
  personSees: 'O que a pessoa vê',
  serverTitle: 'O que o servidor recebeu',
  serverNote: 'Enviado pelo servidor do app (onClaim) assim que a comprovação é final: o único resultado confiável.',
  serverNone: 'Nenhuma comprovação ainda.',
  subject: 'Usuário',
  result: 'Resultado',
  methodology: 'Método',
  time: 'Hora',
  decrypted: 'descriptografado de dados RSA-OAEP',
};

const es: DemoMessages = {
  title: 'Demo de relay-claim-kit',
  emulator: 'Persona: emulador local (sin cuenta)',
  live: 'Persona: entorno real',
  encrypted: 'datos cifrados con RSA-OAEP',
  claim: 'Comprobación que verificar',
  groups: { country: 'Edad, por país', evidence: 'Edad, por tipo de prueba', presence: 'Presencia', other: 'Otras (configuradas en el emulador)' },
  verify: 'Verificar',
  language: 'Idioma',
  theme: 'Tema',
  themes: { system: 'Sistema', light: 'Claro', dark: 'Oscuro' },
  placeholder: 'Elija una comprobación y pulse «Verificar».',
  personSees: 'Lo que ve la persona',
  serverTitle: 'Lo que supo el servidor',
  serverNote: 'Enviado por el servidor de la aplicación (onClaim) en cuanto la comprobación es definitiva: el único resultado fiable.',
  serverNone: 'Todavía no hay ninguna comprobación.',
  subject: 'Usuario',
  result: 'Resultado',
  methodology: 'Método',
  time: 'Hora',
  decrypted: 'descifrado de datos RSA-OAEP',
};

/** The demo's strings per kit locale. */
export const demoMessages: Record<RelayLocale, DemoMessages> = { en, de, fr, it, 'pt-BR': ptBR, es };
