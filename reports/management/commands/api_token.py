"""Make, list or stop API tokens from the command line (the same as 用户与权限 → API 令牌 in the admin)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.models import ApiToken


class Command(BaseCommand):
    help = "管理 API 令牌：create 为用户新建令牌（密钥只显示这一次）；list 列出；revoke 停用。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        create = sub.add_parser("create", help="新建令牌")
        create.add_argument("username", help="令牌所属用户（令牌与该用户的角色和所属机关完全相同）")
        create.add_argument("--name", required=True, help="用途，例如“二塘乡办公系统对接”")
        create.add_argument("--days", type=int, help="有效天数（默认长期有效）")
        listing = sub.add_parser("list", help="列出令牌")
        listing.add_argument("username", nargs="?", help="只列该用户的令牌")
        revoke = sub.add_parser("revoke", help="停用令牌")
        revoke.add_argument("prefix", help="令牌前缀（list 中显示的 nb_…）")

    def handle(self, *args, what, **options):
        getattr(self, f"do_{what}")(**options)

    def do_create(self, username, name, days=None, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有名为“{username}”的在用用户。")
        key = ApiToken.new_key()
        token = ApiToken(user=user, name=name)
        token.set_key(key)
        if days:
            token.expires_at = timezone.now() + timedelta(days=days)
        token.save()
        self.stdout.write(f"已为 {username} 新建令牌“{name}”。密钥只显示这一次，请妥善保存：")
        self.stdout.write(key)

    def do_list(self, username=None, **options):
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if username:
            tokens = tokens.filter(user__username=username)
        for t in tokens:
            state = "已停用" if t.revoked else ("已过期" if not t.is_usable else "有效")
            used = timezone.localtime(t.last_used_at).strftime("%Y-%m-%d %H:%M") if t.last_used_at else "从未使用"
            self.stdout.write(f"{t.prefix}…\t{t.user.username}\t{t.name}\t{state}\t{used}")

    def do_revoke(self, prefix, **options):
        prefix = prefix.rstrip("…").rstrip(".")
        found = list(ApiToken.objects.filter(prefix=prefix[:10]))
        if len(found) != 1:
            raise CommandError(f"前缀“{prefix}”对应 {len(found)} 个令牌，未停用：请在管理后台停用。")
        ApiToken.objects.filter(pk=found[0].pk).update(revoked=True)
        self.stdout.write(f"已停用令牌 {found[0]}。")
