"""The Mailer a service's settings choose: Amazon SES, or a folder of .eml files on this machine."""

from scloud_common.aws import aws_client
from scloud_common.directory_mail import DirectoryMailer
from scloud_common.mail import Mailer, metered
from scloud_common.ses_mail import SesMailer
from scloud_common.settings import MailingAwsSettings


def build_mailer(settings: MailingAwsSettings) -> Mailer:
    """A directory transport builds no AWS client. Built by a service's bootstrap, what it sends
    and fails to send is counted in that service's metrics."""
    if settings.mail_transport == "directory":
        return metered(DirectoryMailer(settings.mail_folder(), settings.mail_sender))
    return metered(SesMailer(aws_client(settings, "sesv2"), settings.mail_sender))
