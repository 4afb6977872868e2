"""The Mailer a service's settings choose: Amazon SES, an SMTP server, or a folder of .eml files on
this machine."""

from scloud_common.aws import aws_client
from scloud_common.directory_mail import DirectoryMailer
from scloud_common.mail import Mailer, metered
from scloud_common.ses_mail import SesMailer
from scloud_common.settings import MailingAwsSettings
from scloud_common.smtp_mail import SmtpMailer


def build_mailer(settings: MailingAwsSettings) -> Mailer:
    """Only SES builds an AWS client. Built by a service's bootstrap, what it sends
    and fails to send is counted in that service's metrics."""
    if settings.mail_transport == "directory":
        return metered(DirectoryMailer(settings.mail_folder(), settings.mail_sender))
    if settings.mail_transport == "smtp":
        return metered(
            SmtpMailer(
                host=settings.smtp_host(),
                port=settings.mail_smtp_port,
                security=settings.mail_smtp_security,
                credentials=settings.smtp_credentials(),
                sender=settings.mail_sender,
                timeout_seconds=settings.mail_smtp_timeout_seconds,
            )
        )
    return metered(SesMailer(aws_client(settings, "sesv2"), settings.mail_sender))
