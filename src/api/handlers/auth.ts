import type { AccountService } from '../../services/accounts';
import type { Family, OperationHandler } from '../operations';

export function authHandlers(accounts: AccountService) {
  const register: OperationHandler<Family<'register'>> = async ({ body }, ctx) => ({ status: 201, body: await accounts.register(body, ctx.ip) });

  const login: OperationHandler<Family<'login'>> = async ({ body }, ctx) => ({ body: await accounts.login(body, ctx.ip) });

  const getMe: OperationHandler<Family<'getMe'>> = async ({ userId }) => ({ body: await accounts.me(userId) });

  const deleteMe: OperationHandler<Family<'deleteMe'>> = async ({ userId }) => {
    await accounts.deleteAccount(userId);
    return { status: 204 };
  };

  return {
    register, registerApi: register,
    login, loginApi: login,
    getMe, getMeApi: getMe,
    deleteMe, deleteMeApi: deleteMe,
  };
}
