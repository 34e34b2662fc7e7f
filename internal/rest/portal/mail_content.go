package portal

import (
	"strings"
)

// mailText is the subject and body of one kind of e-mail in one language. Placeholders in
// braces are replaced once ({name}, {login}, {company}, {link}, {email}, {group}).
type mailText struct{ subject, body string }

// mailTexts are the e-mails by kind ("activate", "reset", "emailupdate", "test") and by
// language; English is the fallback for languages not listed.
var mailTexts = map[string]map[string]mailText{
	"activate": {
		"en": {"Activate your {company} account", "Hello {name},\n\n" +
			"An account with the login {login} was created for you at {company}. To activate it, " +
			"open the link below within 7 days and choose your password:\n\n{link}\n\n" +
			"If you did not expect this message, you can ignore it.\n"},
		"de": {"Aktivieren Sie Ihr Konto bei {company}", "Hallo {name},\n\n" +
			"bei {company} wurde für Sie ein Konto mit dem Anmeldenamen {login} angelegt. Öffnen Sie " +
			"innerhalb von 7 Tagen den folgenden Link und wählen Sie Ihr Passwort:\n\n{link}\n\n" +
			"Falls Sie diese Nachricht nicht erwartet haben, können Sie sie ignorieren.\n"},
		"fr": {"Activez votre compte {company}", "Bonjour {name},\n\n" +
			"Un compte avec l'identifiant {login} a été créé pour vous chez {company}. Pour l'activer, " +
			"ouvrez le lien ci-dessous dans les 7 jours et choisissez votre mot de passe :\n\n{link}\n\n" +
			"Si vous n'attendiez pas ce message, vous pouvez l'ignorer.\n"},
	},
	"reset": {
		"en": {"Reset your {company} password", "Hello {name},\n\n" +
			"Someone asked to reset the password of the account {login} at {company}. To choose a new " +
			"password, open the link below within 1 hour:\n\n{link}\n\n" +
			"If it was not you, ignore this message: your password stays as it is.\n"},
		"de": {"Passwort bei {company} zurücksetzen", "Hallo {name},\n\n" +
			"für das Konto {login} bei {company} wurde das Zurücksetzen des Passworts angefordert. Öffnen Sie " +
			"innerhalb einer Stunde den folgenden Link, um ein neues Passwort zu wählen:\n\n{link}\n\n" +
			"Falls Sie das nicht waren, ignorieren Sie diese Nachricht: Ihr Passwort bleibt unverändert.\n"},
		"fr": {"Réinitialisez votre mot de passe {company}", "Bonjour {name},\n\n" +
			"Une réinitialisation du mot de passe du compte {login} chez {company} a été demandée. Pour " +
			"choisir un nouveau mot de passe, ouvrez le lien ci-dessous dans l'heure :\n\n{link}\n\n" +
			"Si ce n'était pas vous, ignorez ce message : votre mot de passe reste inchangé.\n"},
	},
	"emailupdate": {
		"en": {"Confirm your new e-mail address at {company}", "Hello {name},\n\n" +
			"The account {login} at {company} is to use the e-mail address {email} from now on. To " +
			"confirm it, open the link below within 1 hour:\n\n{link}\n\n" +
			"If you did not ask for this, ignore this message: nothing changes.\n"},
		"de": {"Bestätigen Sie Ihre neue E-Mail-Adresse bei {company}", "Hallo {name},\n\n" +
			"das Konto {login} bei {company} soll künftig die E-Mail-Adresse {email} verwenden. Öffnen " +
			"Sie zur Bestätigung innerhalb einer Stunde den folgenden Link:\n\n{link}\n\n" +
			"Falls Sie das nicht angefordert haben, ignorieren Sie diese Nachricht: es ändert sich nichts.\n"},
		"fr": {"Confirmez votre nouvelle adresse e-mail chez {company}", "Bonjour {name},\n\n" +
			"Le compte {login} chez {company} doit désormais utiliser l'adresse {email}. Pour la " +
			"confirmer, ouvrez le lien ci-dessous dans l'heure :\n\n{link}\n\n" +
			"Si vous ne l'avez pas demandé, ignorez ce message : rien ne change.\n"},
	},
	"test": {
		"en": {"Test message from {company}", "Hello {name},\n\n" +
			"This is a test message, sent through the mail settings of the group {group}. " +
			"If you can read it, they work.\n"},
		"de": {"Testnachricht von {company}", "Hallo {name},\n\n" +
			"dies ist eine Testnachricht, gesendet über die E-Mail-Einstellungen der Gruppe {group}. " +
			"Wenn Sie sie lesen können, funktionieren sie.\n"},
		"fr": {"Message de test de {company}", "Bonjour {name},\n\n" +
			"Ceci est un message de test, envoyé avec les paramètres de messagerie du groupe {group}. " +
			"Si vous pouvez le lire, ils fonctionnent.\n"},
	},
}

// mailLanguage is the language the texts of kind exist in for lang (a BCP 47 tag such as
// "de-AT"): its primary subtag when listed, else English.
func mailLanguage(kind, lang string) string {
	primary, _, _ := strings.Cut(strings.ToLower(lang), "-")
	if _, ok := mailTexts[kind][primary]; ok {
		return primary
	}
	return "en"
}

// mailValues fill the placeholders of the texts.
type mailValues struct{ name, login, company, link, email, group string }

// compose fills the texts of kind in lang with v; line breaks in values become spaces, so that
// nothing a tenant typed (a group name) can break the subject into headers.
func compose(kind, lang string, v mailValues) (subject, body string) {
	clean := func(s string) string { return strings.Join(strings.FieldsFunc(s, isLineBreak), " ") }
	r := strings.NewReplacer("{name}", clean(v.name), "{login}", clean(v.login), "{company}", clean(v.company),
		"{link}", clean(v.link), "{email}", clean(v.email), "{group}", clean(v.group))
	t := mailTexts[kind][lang]
	return r.Replace(t.subject), r.Replace(t.body)
}

func isLineBreak(r rune) bool { return r == '\r' || r == '\n' || r == '\u2028' || r == '\u2029' }
