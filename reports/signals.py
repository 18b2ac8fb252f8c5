"""A user put into one of the roles (填报员, 审核员, 管理员) gets 工作人员状态: every role works in the admin."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from reports.roles import ROLE_PERMISSIONS

User = get_user_model()


@receiver(m2m_changed, sender=User.groups.through)
def staff_for_roles(sender, instance, action, reverse, pk_set, **kwargs):
    if action != "post_add" or not pk_set:
        return
    roles = Group.objects.filter(name__in=list(ROLE_PERMISSIONS))
    if reverse:  # group.user_set.add(user, ...)
        if instance.name in ROLE_PERMISSIONS:
            User.objects.filter(pk__in=pk_set, is_staff=False).update(is_staff=True)
    elif roles.filter(pk__in=pk_set).exists() and not instance.is_staff:
        User.objects.filter(pk=instance.pk).update(is_staff=True)
        instance.is_staff = True
