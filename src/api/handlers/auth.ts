import type { AccountService } from '../../services/accounts';
import type { OperationHandler } from '../operations';

export function authHandlers(accounts: AccountService) {
  const register: OperationHandler<'register'> = async ({ body }, ctx) => {
    ctx.status = 201;
    ctx.body = await accounts.register(body, ctx.ip);
  };

  const login: OperationHandler<'login'> = async ({ body }, ctx) => {
    ctx.body = await accounts.login(body, ctx.ip);
  };

  const getMe: OperationHandler<'getMe'> = async ({ userId }, ctx) => {
    ctx.body = await accounts.me(userId);
  };

  const deleteMe: OperationHandler<'deleteMe'> = async ({ userId }, ctx) => {
    await accounts.deleteAccount(userId);
    ctx.status = 204;
  };

  return {
    register, registerApi: register,
    login, loginApi: login,
    getMe, getMeApi: getMe,
    deleteMe, deleteMeApi: deleteMe,
  };
}
