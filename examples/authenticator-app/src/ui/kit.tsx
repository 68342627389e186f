// The few building blocks every screen uses. Accessibility roles and labels are set on each so
// that screen readers (VoiceOver, TalkBack) and the tests (Testing Library, Playwright on the
// web build) find controls the same way: by role and by the words on them.
import type { ReactNode } from 'react';
import { Pressable, ScrollView, StyleSheet, Switch, Text, TextInput, type TextInputProps, View } from 'react-native';

export const colors = { brand: '#1f4bd8', text: '#111827', muted: '#4b5563', danger: '#b91c1c', ok: '#047857', border: '#d1d5db', bg: '#f9fafb', card: '#ffffff' };

export function Screen({ title, onBack, actions, children }: { title: string; onBack?: () => void; actions?: ReactNode; children: ReactNode }) {
  return (
    <View style={styles.screen}>
      <View style={styles.header}>
        {onBack ? <TextButton label="Back" onPress={onBack} /> : <View style={{ width: 48 }} />}
        <Text role="heading" aria-level={1} style={styles.title} numberOfLines={1}>
          {title}
        </Text>
        <View style={styles.actions}>{actions}</View>
      </View>
      <ScrollView contentContainerStyle={styles.body} keyboardShouldPersistTaps="handled">
        {children}
      </ScrollView>
    </View>
  );
}

export function Button({ label, onPress, disabled, kind = 'primary', hint }: { label: string; onPress: () => void; disabled?: boolean; kind?: 'primary' | 'secondary' | 'danger'; hint?: string }) {
  return (
    <Pressable
      role="button"
      accessibilityLabel={label}
      accessibilityHint={hint}
      aria-disabled={disabled}
      disabled={disabled}
      onPress={onPress}
      style={[styles.button, kind === 'secondary' && styles.buttonSecondary, kind === 'danger' && styles.buttonDanger, disabled && styles.disabled]}
    >
      <Text style={[styles.buttonText, kind === 'secondary' && { color: colors.brand }]}>{label}</Text>
    </Pressable>
  );
}

export function TextButton({ label, onPress }: { label: string; onPress: () => void }) {
  return (
    <Pressable role="button" accessibilityLabel={label} onPress={onPress} hitSlop={8}>
      <Text style={styles.link}>{label}</Text>
    </Pressable>
  );
}

export function Field({ label, ...input }: { label: string } & TextInputProps) {
  return (
    <View style={styles.field}>
      <Text style={styles.label}>{label}</Text>
      <TextInput accessibilityLabel={label} autoCapitalize="none" autoCorrect={false} style={[styles.input, input.multiline && { minHeight: 96, textAlignVertical: 'top' }]} {...input} />
    </View>
  );
}

export function Toggle({ label, value, onChange, disabled }: { label: string; value: boolean; onChange: (v: boolean) => void; disabled?: boolean }) {
  return (
    <View style={styles.row}>
      <Text style={styles.p}>{label}</Text>
      <Switch accessibilityLabel={label} value={value} onValueChange={onChange} disabled={disabled} />
    </View>
  );
}

export function Message({ kind = 'info', children }: { kind?: 'info' | 'error' | 'ok'; children: ReactNode }) {
  return (
    <Text role={kind === 'error' ? 'alert' : 'status'} style={[styles.p, kind === 'error' && { color: colors.danger }, kind === 'ok' && { color: colors.ok }]}>
      {children}
    </Text>
  );
}

export function P({ children, muted }: { children: ReactNode; muted?: boolean }) {
  return <Text style={[styles.p, muted && { color: colors.muted }]}>{children}</Text>;
}

export function H2({ children }: { children: ReactNode }) {
  return (
    <Text role="heading" aria-level={2} style={styles.h2}>
      {children}
    </Text>
  );
}

export function Card({ children }: { children: ReactNode }) {
  return <View style={styles.card}>{children}</View>;
}

const styles = StyleSheet.create({
  screen: { flex: 1, backgroundColor: colors.bg },
  header: { flexDirection: 'row', alignItems: 'center', justifyContent: 'space-between', paddingHorizontal: 16, paddingTop: 16, paddingBottom: 12, borderBottomWidth: 1, borderColor: colors.border, backgroundColor: colors.card },
  title: { fontSize: 20, fontWeight: '600', color: colors.text, flexShrink: 1, textAlign: 'center' },
  actions: { flexDirection: 'row', gap: 12, minWidth: 48, justifyContent: 'flex-end' },
  body: { padding: 16, gap: 12 },
  button: { backgroundColor: colors.brand, paddingVertical: 12, paddingHorizontal: 16, borderRadius: 8, alignItems: 'center' },
  buttonSecondary: { backgroundColor: colors.card, borderWidth: 1, borderColor: colors.brand },
  buttonDanger: { backgroundColor: colors.danger },
  buttonText: { color: '#fff', fontSize: 16, fontWeight: '600' },
  disabled: { opacity: 0.5 },
  link: { color: colors.brand, fontSize: 16 },
  field: { gap: 4 },
  label: { fontSize: 14, color: colors.muted },
  input: { borderWidth: 1, borderColor: colors.border, borderRadius: 8, padding: 10, fontSize: 16, backgroundColor: colors.card, color: colors.text },
  row: { flexDirection: 'row', alignItems: 'center', justifyContent: 'space-between', gap: 12 },
  p: { fontSize: 15, color: colors.text, lineHeight: 21 },
  h2: { fontSize: 17, fontWeight: '600', color: colors.text, marginTop: 8 },
  card: { backgroundColor: colors.card, borderRadius: 10, borderWidth: 1, borderColor: colors.border, padding: 14, gap: 8 },
});
