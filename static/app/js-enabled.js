// Marks the page as able to run GOV.UK Frontend's JavaScript (kept out of an inline script for CSP).
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
